import type { ProjectAccess } from './policy';

/**
 * Who may write to a branch (`Gitlab::UserAccess#can_push_to_branch?`). The default branch is the
 * protected one here, with GitLab's default protection: maintainers push to it, developers to
 * every other branch.
 */
export const isProtectedBranch = (access: Pick<ProjectAccess, 'project'>, branch: string) => access.project.defaultBranch === branch;

export function canPushToBranch(access: ProjectAccess, branch: string): boolean {
  return access.level >= (isProtectedBranch(access, branch) ? 40 : 30);
}

