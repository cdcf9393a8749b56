import { createHash } from 'node:crypto';
import { newSecret, putToken } from '../../auth/store/token-store';
import type { IamClaims } from './caller';
import { iamTime } from './iam-time';

/**
 * Issues IAM-style tokens into the token store. We run no IAM: an administrator (the bootstrap
 * token) names the domain, project and user a token speaks for, and names without ids get ids
 * derived from them, so the same names always mean the same domain, project and user.
 */
export interface NameOrId {
  id?: string;
  name?: string;
}

export interface MintRequest {
  scope: { project: NameOrId & { domain?: NameOrId } } | { domain: NameOrId };
  user?: NameOrId;
  durationSeconds: number;
}

/** The domain a scope names when it names none. */
export const DEFAULT_DOMAIN = 'jobplane';
const DEFAULT_USER = 'admin';

/** A 32-character lowercase hex id, as IAM's, stable for the names it is derived from. */
export function derivedId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

function resolve(ref: NameOrId, kind: string, within: string): { id: string; name: string } {
  const id = ref.id ?? derivedId(kind, within, ref.name!);
  return { id, name: ref.name ?? id };
}

/** The claims a mint request gives (pure). */
export function claimsFor(request: MintRequest): IamClaims {
  const scope = request.scope;
  const domainRef = 'domain' in scope ? scope.domain : (scope.project.domain ?? { name: DEFAULT_DOMAIN });
  const domain = resolve(domainRef, 'domain', '');
  const project = 'project' in scope ? resolve(scope.project, 'project', domain.id) : null;
  const user = resolve(request.user ?? { name: DEFAULT_USER }, 'user', domain.id);
  return {
    domain_id: domain.id,
    domain_name: domain.name,
    iam_project_id: project?.id ?? null,
    project_name: project?.name ?? null,
    user_id: user.id,
    user_name: user.name,
    scope: project ? 'project' : 'domain',
  };
}

/** The body IAM answers `POST /v3/auth/tokens` with (the secret goes in `X-Subject-Token`). */
export function tokenBody(claims: IamClaims, issuedAt: number, expiresAt: number) {
  const domain = { id: claims.domain_id, name: claims.domain_name };
  return {
    token: {
      methods: ['token'],
      issued_at: iamTime(issuedAt),
      expires_at: iamTime(expiresAt),
      user: { id: claims.user_id, name: claims.user_name, domain, password_expires_at: '' },
      ...(claims.scope === 'project' ? { project: { id: claims.iam_project_id, name: claims.project_name, domain } } : { domain }),
      roles: [],
      catalog: [],
    },
  };
}

export async function mintIamToken(request: MintRequest, now = Date.now()): Promise<{ secret: string; body: ReturnType<typeof tokenBody> }> {
  const claims = claimsFor(request);
  const expiresAt = now + request.durationSeconds * 1000;
  const secret = newSecret('MII');
  await putToken(secret, { kind: 'iam', name: `${claims.user_name}@${claims.domain_name}`, expiresAt, claims: { ...claims } });
  return { secret, body: tokenBody(claims, now, expiresAt) };
}
