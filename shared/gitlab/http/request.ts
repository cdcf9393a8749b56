import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { accessLevelIn, can, projectAccess, type Ability, type ProjectAccess } from '../auth/policy';
import { checkScopes, resolvePrincipal, type Principal } from '../auth/principal';
import { forbidden, GitLabError, unauthorized } from '../errors';
import type { UserRecord } from '../records';
import { getProject, getProjectByPath } from '../store/projects';

/**
 * The steps every GitLab endpoint takes, in GitLab's order: authenticate (401, the `authenticated`
 * middleware, before params are checked), find the project (404 Project Not Found, also when the
 * caller may not see it), check the ability (403).
 */
export interface AuthOptions {
  /** GitLab's `authenticate!`: anonymous callers get 401. */
  required: boolean;
  /** The endpoint accepts CI job tokens (`job_token_allowed`). */
  jobTokenAllowed?: boolean;
  /** Scopes besides `read_api` that allow a GET (`allow_access_with_scope :read_user`). */
  readScopes?: readonly string[];
}

export type Authenticated = { Variables: { principal: Principal } };

/** Who calls, as `c.var.principal`. */
export function authenticated(options: AuthOptions) {
  return createMiddleware<Authenticated>(async (c, next) => {
    const principal = await resolvePrincipal({ header: (name) => c.req.header(name), query: (name) => c.req.query(name) }, { jobTokenAllowed: options.jobTokenAllowed ?? false });
    if (options.required && principal.kind === 'anonymous') throw unauthorized();
    checkScopes(principal, c.req.method, ['read_api', ...(options.readScopes ?? [])]);
    c.set('principal', principal);
    await next();
  });
}

/** Only an administrator's personal token (GitLab's `authenticated_as_admin!`), checked before params. */
export const adminOnly = createMiddleware<Authenticated>(async (c, next) => {
  const principal = c.var.principal;
  if (principal.kind !== 'user' || !principal.user.admin) throw forbidden();
  await next();
});

export function requireUser(principal: Principal): UserRecord {
  if (principal.kind === 'anonymous') throw unauthorized();
  return principal.user;
}

const PROJECT_NOT_FOUND = () => new GitLabError(404, { message: '404 Project Not Found' });

/** `:id` as a number or a URL-encoded `namespace/project` path. */
export async function findProject(c: Context, principal: Principal, param = 'id'): Promise<ProjectAccess> {
  const id = c.req.param(param) ?? '';
  // By id, the caller's membership is read alongside the project; by path, once the project names its id.
  const [project, level] = /^\d+$/.test(id) ? await Promise.all([getProject(Number(id)), accessLevelIn(principal, Number(id))]) : [await getProjectByPath(id), undefined];
  if (!project || project.pendingDelete) throw PROJECT_NOT_FOUND();
  const access = await projectAccess(principal, project, level);
  // A job token reaches only its own project.
  if (!access.visible || (principal.kind === 'job' && principal.job.projectId !== project.id)) throw PROJECT_NOT_FOUND();
  return access;
}

export function authorize(access: ProjectAccess, ability: Ability): void {
  if (!can(access, ability)) throw forbidden();
}
