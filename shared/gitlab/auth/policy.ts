import type { JobRecord, ProjectRecord } from '../records';
import { getMember } from '../store/projects';
import type { Principal } from './principal';

/**
 * What a principal may do in a project, by GitLab's roles: guest 10, reporter 20, developer 30,
 * maintainer 40, owner 50; administrators may do everything. Abilities are named after GitLab's
 * policies (`read_build`, `update_build`, `erase_build`…).
 */
export const ROLE_NAMES: Record<number, string> = { 10: 'guest', 20: 'reporter', 30: 'developer', 40: 'maintainer', 50: 'owner' };

export interface ProjectAccess {
  project: ProjectRecord;
  principal: Principal;
  /** The member's access level; 0 for non-members; 50 for administrators. */
  level: number;
  admin: boolean;
  visible: boolean;
}

export async function projectAccess(principal: Principal, project: ProjectRecord): Promise<ProjectAccess> {
  let level = 0;
  let admin = false;
  if (principal.kind === 'user' && principal.user.admin) {
    admin = true;
    level = 50;
  } else if (principal.kind === 'user' || (principal.kind === 'job' && principal.job.projectId === project.id)) {
    level = (await getMember(project.id, principal.user.id))?.accessLevel ?? 0;
  }
  const visible = admin || level > 0 || project.visibility === 'public' || (project.visibility === 'internal' && principal.kind !== 'anonymous');
  return { project, principal, level, admin, visible };
}

export type Ability =
  | 'read_build'
  | 'read_pipeline'
  | 'update_build'
  | 'create_pipeline'
  | 'push_code'
  | 'admin_build'
  | 'admin_project'
  | 'add_member';

export function can(access: ProjectAccess, ability: Ability): boolean {
  const { level, project, visible } = access;
  switch (ability) {
    case 'read_build':
    case 'read_pipeline':
      return level >= 20 || (project.publicBuilds && (level >= 10 || (visible && project.visibility !== 'private')));
    case 'update_build':
    case 'create_pipeline':
    case 'push_code':
      return level >= 30;
    case 'admin_build':
    case 'admin_project':
    case 'add_member':
      return level >= 40;
  }
}

/** Erase: maintainers, or the developer the job ran for. */
export function canEraseBuild(access: ProjectAccess, job: JobRecord): boolean {
  if (access.level >= 40) return true;
  return access.level >= 30 && access.principal.kind !== 'anonymous' && access.principal.user.id === job.userId;
}
