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

/**
 * The principal's access level in project `projectId`: 50 for administrators, a member's level,
 * 0 for everyone else. Keyed by the id alone, so it can be read alongside the project.
 */
export async function accessLevelIn(principal: Principal, projectId: number): Promise<number> {
  if (principal.kind === 'user' && principal.user.admin) return 50;
  if (principal.kind === 'user' || (principal.kind === 'job' && principal.job.projectId === projectId)) {
    return (await getMember(projectId, principal.user.id))?.accessLevel ?? 0;
  }
  return 0;
}

/** `level` is `accessLevelIn(principal, project.id)` when the caller has already read it. */
export async function projectAccess(principal: Principal, project: ProjectRecord, level?: number): Promise<ProjectAccess> {
  level ??= await accessLevelIn(principal, project.id);
  const admin = principal.kind === 'user' && principal.user.admin;
  const visible = admin || level > 0 || project.visibility === 'public' || (project.visibility === 'internal' && principal.kind !== 'anonymous');
  return { project, principal, level, admin, visible };
}

export type Ability =
  | 'read_build'
  | 'read_pipeline'
  | 'read_code'
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
    case 'read_code':
      return level >= 20 || (visible && project.visibility !== 'private');
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
