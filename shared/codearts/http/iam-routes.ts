import type { Context } from 'hono';
import * as z from '../../util/zod';
import { findToken, isBootstrapSecret } from '../../auth/store/token-store';
import { mintIamToken, type MintRequest } from '../auth/mint';
import { respond, type CodeArtsApp } from './routing';

/**
 * IAM's `POST /v3/auth/tokens` with the `token` identity method, for an administrator: the
 * bootstrap token (as `auth.identity.token.id` or `X-Auth-Token`) obtains a token for the
 * project or domain of `scope`, speaking for `auth.identity.token.user` (our extension; `admin`
 * by default). The new token comes back in `X-Subject-Token`, as from IAM. Errors are IAM's
 * (Keystone's) `{"error": {"code", "message", "title"}}`.
 */
const iamId = z.string().regex(/^[0-9a-z]{32}$/);
const iamName = z.string().min(1).max(64);
const reference = z.object({ id: iamId.optional(), name: iamName.optional() }).refine((ref) => ref.id !== undefined || ref.name !== undefined);

export const mintSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()).min(1),
      token: z
        .object({
          id: z.string().optional(),
          duration_seconds: z
            .union([z.number().int(), z.string().regex(/^\d{1,6}$/).transform(Number)])
            .pipe(z.number().min(1).max(86_400))
            .optional(),
          user: reference.optional(),
        })
        .optional(),
    }),
    scope: z.union([
      z.object({ project: z.object({ id: iamId.optional(), name: iamName.optional(), domain: reference.optional() }).refine((ref) => ref.id !== undefined || ref.name !== undefined) }),
      z.object({ domain: reference }),
    ]),
  }),
});

function iamError(c: Context, code: 400 | 401 | 403, title: string, message: string) {
  return respond(c, { error: { code, message, title } }, code);
}

async function issueToken(c: Context) {
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch {
    return iamError(c, 400, 'Bad Request', 'The request body is not JSON.');
  }
  // Keystone wants exactly one scope; a schema union would match the first and drop the other.
  const requested = (json as { auth?: { scope?: unknown } } | null)?.auth?.scope;
  if (typeof requested === 'object' && requested !== null && ['project', 'domain', 'OS-TRUST:trust', 'unscoped'].filter((key) => key in requested).length > 1) {
    return iamError(c, 400, 'Bad Request', 'Expecting to find project, domain, OS-TRUST:trust or unscoped in scope. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.');
  }
  const parsed = mintSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return iamError(c, 400, 'Bad Request', `Invalid input for field '${issue.path.join('.')}': ${issue.message}`);
  }
  const { identity, scope } = parsed.data.auth;
  if (!identity.methods.includes('token')) {
    return iamError(c, 400, 'Bad Request', `Unsupported identity method: ${identity.methods.join(', ')}. Tokens are obtained with the token method and the administrator's token.`);
  }
  const presented = identity.token?.id ?? c.req.header('X-Auth-Token');
  if (!isBootstrapSecret(presented)) {
    if (presented && (await findToken(presented))) return iamError(c, 403, 'Forbidden', 'You are not authorized to perform the requested action.');
    return iamError(c, 401, 'Unauthorized', 'The request you have made requires authentication.');
  }
  const request: MintRequest = { scope, user: identity.token?.user, durationSeconds: identity.token?.duration_seconds ?? 86_400 };
  const { secret, body } = await mintIamToken(request);
  return respond(c, body, 201, { 'X-Subject-Token': secret });
}

export function mountIamRoutes(app: CodeArtsApp): void {
  app.post('/v3/auth/tokens', issueToken);
}
