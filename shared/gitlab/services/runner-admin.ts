import type { Principal } from '../auth/principal';
import { forbidden, GitLabError, validationError } from '../errors';
import type { ProjectRecord, RunnerRecord } from '../records';
import { membershipsOf } from '../store/projects';
import { bumpQueueValue, deleteRunner, getRunner, updateRunner } from '../store/runners';
import type { RunnerAttributes } from './runners';

/**
 * Runners as users manage them (`lib/api/ci/runners.rb`, GitLab's `RunnerPolicy`): a project
 * runner belongs to whoever maintains one of its projects; administrators may do anything.
 */
export interface RunnerAccess {
  admin: boolean;
  /** `admin_runner`: maintainer of one of the runner's projects, or an administrator. */
  owns: boolean;
}

const NO_ACCESS = () => forbidden('No access granted');

export async function runnerAccess(principal: Principal, runner: RunnerRecord): Promise<RunnerAccess> {
  if (principal.kind !== 'user') return { admin: false, owns: false };
  if (principal.user.admin) return { admin: true, owns: true };
  const memberships = await membershipsOf(principal.user.id, runner.projectIds);
  return { admin: false, owns: [...memberships.values()].some((member) => member.accessLevel >= 40) };
}

export async function findRunner(id: number): Promise<RunnerRecord> {
  const runner = await getRunner(id);
  if (!runner) throw new GitLabError(404, { message: '404 Runner Not Found' });
  return runner;
}

/** Instance runners are shown to every signed-in user. */
export function authorizeShow(runner: RunnerRecord, access: RunnerAccess): void {
  if (runner.runnerType !== 'instance_type' && !access.owns) throw NO_ACCESS();
}

export function authorizeUpdate(access: RunnerAccess): void {
  if (!access.owns) throw NO_ACCESS();
}

export type RunnerChanges = Partial<Omit<RunnerAttributes, 'info'>>;

const MIN_MAXIMUM_TIMEOUT = 600;

export async function updateRunnerSettings(runner: RunnerRecord, changes: RunnerChanges): Promise<RunnerRecord> {
  if (changes.maximumTimeout !== undefined && changes.maximumTimeout !== null && changes.maximumTimeout < MIN_MAXIMUM_TIMEOUT) {
    throw validationError({ maximum_timeout: ['needs to be at least 10 minutes'] });
  }
  await updateRunner(runner.id, changes);
  // New tags, untagged jobs or an unpaused runner may make waiting jobs takeable: the runner looks again.
  await bumpQueueValue(runner.id);
  return (await getRunner(runner.id))!;
}

export async function removeRunner(runner: RunnerRecord, access: RunnerAccess): Promise<void> {
  if (!access.admin && runner.projectIds.length > 1) throw forbidden('Runner associated with more than one project');
  if (!access.owns) throw NO_ACCESS();
  await deleteRunner(runner.id);
}

/** `POST /projects/:id/runners`: a project runner also serves another project. */
export async function assignRunner(runner: RunnerRecord, project: ProjectRecord, access: RunnerAccess): Promise<RunnerRecord> {
  if (!access.admin) {
    if (runner.locked) throw forbidden('Runner is locked');
    if (!access.owns) throw NO_ACCESS();
  }
  if (runner.runnerType === 'instance_type') throw new GitLabError(400, { message: 'Transitioning an instance runner to a project runner is not supported' });
  if (runner.projectIds.includes(project.id)) throw validationError({ runner_projects: ['has already been taken'] });
  await updateRunner(runner.id, { projectIds: [...runner.projectIds, project.id] });
  await bumpQueueValue(runner.id);
  return (await getRunner(runner.id))!;
}

/** `DELETE /projects/:id/runners/:runner_id`: not the runner's last project (that is deleting the runner). */
export async function unassignRunner(runner: RunnerRecord | undefined, project: ProjectRecord): Promise<void> {
  if (!runner || !runner.projectIds.includes(project.id)) throw new GitLabError(404, { message: '404 Runner Not Found' });
  if (runner.projectIds.length === 1) throw forbidden('Only one project associated with the runner. Please remove the runner instead');
  await updateRunner(runner.id, { projectIds: runner.projectIds.filter((id) => id !== project.id) });
}
