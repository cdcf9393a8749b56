import { findTokenRecord, isBootstrapSecret } from '../../auth/store/token-store';
import { domainScoped, tokenExpired, tokenMissing, tokenUnreadable } from '../errors';
import { iamTime } from './iam-time';

/**
 * Who a CodeArts call acts as, from its `X-Auth-Token`: an IAM token of the token store (kind
 * `iam`, minted by `POST /v3/auth/tokens`) scoped to one IAM project, or the bootstrap token,
 * which may act on every task. Domain-scoped ("global") tokens are refused, as CodeArts does.
 */
export interface IamClaims {
  domain_id: string;
  domain_name: string;
  /** `null` for a domain-scoped token. */
  iam_project_id: string | null;
  project_name: string | null;
  user_id: string;
  user_name: string;
  scope: 'project' | 'domain';
}

export type Caller = { kind: 'bootstrap' } | { kind: 'iam'; claims: IamClaims & { iam_project_id: string } };

/** The owner a task gets from its creator: the bootstrap token's tasks belong to no IAM project. */
export interface Owner {
  domainId: string | null;
  iamProjectId: string | null;
  userId: string | null;
}

export function ownerOf(caller: Caller): Owner {
  if (caller.kind === 'bootstrap') return { domainId: null, iamProjectId: null, userId: null };
  return { domainId: caller.claims.domain_id, iamProjectId: caller.claims.iam_project_id, userId: caller.claims.user_id };
}

/** A token sees a task only when both its domain and its IAM project match; the bootstrap token sees all. */
export function canSee(caller: Caller, owner: Pick<Owner, 'domainId' | 'iamProjectId'>): boolean {
  if (caller.kind === 'bootstrap') return true;
  return owner.domainId === caller.claims.domain_id && owner.iamProjectId === caller.claims.iam_project_id;
}

export async function authenticate(token: string | undefined, now = Date.now()): Promise<Caller> {
  if (token === undefined || token.trim() === '') throw tokenMissing();
  if (isBootstrapSecret(token)) return { kind: 'bootstrap' };
  const record = await findTokenRecord(token);
  if (!record || record.kind !== 'iam' || record.revoked) throw tokenUnreadable();
  if (record.expiresAt !== undefined && record.expiresAt <= now) throw tokenExpired(iamTime(record.expiresAt));
  const claims = record.claims as unknown as IamClaims;
  if (claims.scope !== 'project' || claims.iam_project_id === null) throw domainScoped();
  return { kind: 'iam', claims: { ...claims, iam_project_id: claims.iam_project_id } };
}
