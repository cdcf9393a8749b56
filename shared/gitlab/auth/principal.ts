import { findTokenRecord, isBootstrapSecret, type TokenRecord } from '../../auth/store/token-store';
import { GitLabError, unauthorized } from '../errors';
import type { JobRecord, UserRecord } from '../records';
import { getJob } from '../store/jobs';
import { ensureRootUser, getUser } from '../store/users';

/**
 * Who a GitLab API request acts as. Personal access tokens come as `PRIVATE-TOKEN`,
 * `?private_token=` or `Authorization: Bearer`; CI job tokens as `JOB-TOKEN`, `?job_token=` or
 * Bearer, and only where an endpoint accepts them (elsewhere they are ignored, as in GitLab) and
 * only while their job runs. The bootstrap token is the administrator `root`.
 */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: UserRecord; scopes: string[] }
  | { kind: 'job'; user: UserRecord; job: JobRecord };

export interface Credentials {
  header(name: string): string | undefined;
  query(name: string): string | undefined;
}

const REVOKED = new GitLabError(401, { error: 'invalid_token', error_description: 'Token was revoked. You have to re-authorize from the user.' });
const EXPIRED = new GitLabError(401, { error: 'invalid_token', error_description: 'Token is expired. You can either do re-authorization or token refresh.' });

/** Statuses in which a job's token is valid (GitLab: the job is running). */
const JOB_TOKEN_STATUSES = new Set(['running', 'canceling']);

async function liveRecord(secret: string): Promise<TokenRecord> {
  const record = await findTokenRecord(secret);
  if (!record) throw unauthorized();
  if (record.revoked) throw REVOKED;
  if (record.expiresAt !== undefined && record.expiresAt <= Date.now()) throw EXPIRED;
  return record;
}

async function userPrincipal(record: TokenRecord): Promise<Principal> {
  const user = await getUser(Number(record.claims.userId));
  if (!user || user.state !== 'active') throw unauthorized();
  return { kind: 'user', user, scopes: (record.claims.scopes as string[]) ?? [] };
}

async function jobPrincipal(record: TokenRecord): Promise<Principal> {
  const job = await getJob(Number(record.claims.jobId));
  if (!job || !JOB_TOKEN_STATUSES.has(job.status)) throw unauthorized();
  const user = await getUser(job.userId);
  if (!user) throw unauthorized();
  return { kind: 'job', user, job };
}

async function bootstrapPrincipal(): Promise<Principal> {
  return { kind: 'user', user: await ensureRootUser(), scopes: ['api', 'sudo', 'admin_mode'] };
}

export async function resolvePrincipal(request: Credentials, options: { jobTokenAllowed: boolean }): Promise<Principal> {
  const privateToken = request.header('PRIVATE-TOKEN') ?? request.query('private_token');
  if (privateToken !== undefined) {
    if (isBootstrapSecret(privateToken)) return bootstrapPrincipal();
    const record = await liveRecord(privateToken);
    if (record.kind !== 'gitlab-personal') throw unauthorized();
    return userPrincipal(record);
  }
  const jobToken = request.header('JOB-TOKEN') ?? request.query('job_token');
  if (jobToken !== undefined) {
    if (!options.jobTokenAllowed) return { kind: 'anonymous' };
    const record = await findTokenRecord(jobToken);
    if (!record || record.kind !== 'gitlab-job') throw unauthorized();
    return jobPrincipal(record);
  }
  const authorization = request.header('Authorization');
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (bearer !== undefined) {
    if (isBootstrapSecret(bearer)) return bootstrapPrincipal();
    const record = await liveRecord(bearer);
    if (record.kind === 'gitlab-personal') return userPrincipal(record);
    if (record.kind === 'gitlab-job') return options.jobTokenAllowed ? jobPrincipal(record) : { kind: 'anonymous' };
    throw unauthorized();
  }
  return { kind: 'anonymous' };
}

/** The token's scopes must allow the request: `api` for everything, `read_api` (or an endpoint's own read scopes) for reads. */
export function checkScopes(principal: Principal, method: string, readScopes: readonly string[] = ['read_api']): void {
  if (principal.kind !== 'user') return;
  if (principal.scopes.includes('api')) return;
  if ((method === 'GET' || method === 'HEAD') && readScopes.some((scope) => principal.scopes.includes(scope))) return;
  throw new GitLabError(403, {
    error: 'insufficient_scope',
    error_description: 'The request requires higher privileges than provided by the access token.',
    scope: 'api read_api',
  });
}
