import { putToken, newSecret } from '../../auth/store/token-store';
import { config } from '../../config';
import { nextIndex } from '../../storage/index-clock';
import { claimAclBootstrap } from '../store/acl-bootstrap';
import { badRequest } from '../errors';
import type { NomadToken } from '../wire/acl-token';
import { bootstrapAccessorId } from './resolve';

/**
 * `POST /v1/acl/bootstrap`. A deployment configured with a bootstrap token (BOOTSTRAP_TOKEN, as
 * `npm start` and the CDK stack are) is already bootstrapped, and answers as Nomad does after
 * its one bootstrap. Without one, the first call creates the initial management token; a marker
 * item written with a condition makes that happen exactly once.
 */
export async function bootstrapAcl(requestedSecret?: string): Promise<{ token: NomadToken; secret: string }> {
  if (config().bootstrapTokenSha256) throw badRequest('ACL bootstrap already done (reset index: 0)');
  const index = nextIndex();
  if (!(await claimAclBootstrap(index))) throw badRequest('ACL bootstrap already done (reset index: 0)');
  const secret = requestedSecret || newSecret();
  const claims = { Type: 'management', Policies: [], Global: true, ExpirationTTL: 0, CreateIndex: index, ModifyIndex: index };
  const record = await putToken(secret, { kind: 'nomad', name: 'Bootstrap Token', claims });
  return { token: record as NomadToken, secret };
}

/**
 * The configured bootstrap token as Nomad lists its own (accessor, "Bootstrap Token",
 * management, global). It is not stored, so it has no creation time or index of its own: they
 * read as the epoch and 1, the first index there is.
 */
export function configuredBootstrapToken(): NomadToken | undefined {
  if (!config().bootstrapTokenSha256) return undefined;
  return {
    secretHash: '',
    accessorId: bootstrapAccessorId(),
    kind: 'nomad',
    name: 'Bootstrap Token',
    createdAt: 0,
    claims: { Type: 'management', Policies: [], Global: true, ExpirationTTL: 0, CreateIndex: 1, ModifyIndex: 1 },
  } as NomadToken;
}
