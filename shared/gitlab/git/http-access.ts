import { canPushToBranch } from '../auth/branch-access';
import { accessLevelIn, projectAccess } from '../auth/policy';
import { resolvePrincipal, type Principal } from '../auth/principal';
import { GitLabError } from '../errors';
import type { ProjectRecord } from '../records';
import { getProjectByPath } from '../store/projects';

/**
 * Who a git client is and what it may do, as GitLab's `Gitlab::Auth.find_for_git_client` and
 * `GitHttpClientController` decide: HTTP Basic with `gitlab-ci-token:<job token>`, or any username
 * with a personal access token (`oauth2` by convention); anonymous clients read public projects.
 * Refusals are GitLab's texts: 401 with the Basic challenge when the client should try (other)
 * credentials, 404 when the project is not there for it, 403 when it may read but not push.
 */
export class GitHttpRefusal extends Error {
  constructor(
    readonly status: 401 | 403 | 404,
    readonly text: string,
  ) {
    super(text);
  }
}

const ACCESS_DENIED = () =>
  new GitHttpRefusal(401, 'HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you\'re required to use a token instead of a password. If a token was provided, it was either incorrect, expired, or improperly scoped.\n');
const NOT_FOUND = () => new GitHttpRefusal(404, "The project you were looking for could not be found or you don't have permission to view it.\n");

function basicCredentials(authorization: string | undefined): { username: string; password: string } | undefined {
  const encoded = authorization?.match(/^Basic\s+(.+)$/i)?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function principalOf(authorization: string | undefined): Promise<Principal> {
  const credentials = basicCredentials(authorization);
  if (!credentials) return { kind: 'anonymous' };
  const header = credentials.username === 'gitlab-ci-token' ? 'JOB-TOKEN' : 'PRIVATE-TOKEN';
  try {
    const principal = await resolvePrincipal({ header: (name) => (name === header ? credentials.password : undefined), query: () => undefined }, { jobTokenAllowed: true });
    if (principal.kind === 'anonymous') throw ACCESS_DENIED();
    return principal;
  } catch (error) {
    if (error instanceof GitLabError) throw ACCESS_DENIED();
    throw error;
  }
}

export interface GitAccess {
  project: ProjectRecord;
  principal: Principal;
  canPush: boolean;
  /** May push to the protected (default) branch: `Gitlab::UserAccess#can_push_to_branch?`. */
  canPushProtected: boolean;
}

const SCOPES = { read: ['api', 'read_repository', 'write_repository'], write: ['api', 'write_repository'] };

export async function gitAccess(projectPath: string, authorization: string | undefined, operation: 'read' | 'write'): Promise<GitAccess> {
  const principal = await principalOf(authorization);
  const project = await getProjectByPath(projectPath);
  const challenge = () => (principal.kind === 'anonymous' ? ACCESS_DENIED() : NOT_FOUND());
  if (!project) throw challenge();
  if (principal.kind === 'user' && !principal.scopes.some((scope) => SCOPES[operation].includes(scope))) throw ACCESS_DENIED();
  const access = await projectAccess(principal, project, await accessLevelIn(principal, project.id));
  const ownJob = principal.kind === 'job' && principal.job.projectId === project.id;
  // A job token reads its own project, and others only as any signed-in user could.
  const canRead = ownJob || access.admin || access.level >= 20 || project.visibility === 'public' || (project.visibility === 'internal' && principal.kind !== 'anonymous');
  if (!canRead) throw access.visible ? new GitHttpRefusal(403, 'You are not allowed to download code from this project.\n') : challenge();
  const canPush = principal.kind === 'user' && (access.admin || access.level >= 30);
  if (operation === 'write' && !canPush) {
    if (principal.kind === 'anonymous') throw ACCESS_DENIED();
    throw new GitHttpRefusal(403, 'You are not allowed to push code to this project.\n');
  }
  return { project, principal, canPush, canPushProtected: canPush && (project.defaultBranch === null || canPushToBranch(access, project.defaultBranch)) };
}
