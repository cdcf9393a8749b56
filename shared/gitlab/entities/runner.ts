import type { ProjectRecord, RunnerRecord, UserRecord } from '../records';
import { isOnline, restStatus } from '../state/runner-status';
import { iso } from './format';
import { basicProjectDetails } from './project';

/** `Entities::Ci::Runner` (lists, and embedded in jobs), `RunnerDetails`, and what registering or creating a runner answers. */

export function runnerEntity(runner: RunnerRecord, now: number) {
  return {
    id: runner.id,
    description: runner.description,
    ip_address: null,
    active: !runner.paused,
    paused: runner.paused,
    is_shared: runner.runnerType === 'instance_type',
    runner_type: runner.runnerType,
    name: (runner.info.name as string | undefined) ?? null,
    online: isOnline(runner, now),
    status: restStatus(runner, now),
  };
}

const info = (runner: RunnerRecord, key: string) => (typeof runner.info[key] === 'string' ? (runner.info[key] as string) : null);

/**
 * `Entities::Ci::RunnerDetails`. `version`, `revision`, `platform` and `architecture` are what
 * the runner last reported; `projects` are those of its projects the viewer may see.
 */
export function runnerDetailsEntity(
  runner: RunnerRecord,
  now: number,
  options: { projects: { project: ProjectRecord; owner: UserRecord | undefined }[]; canUpdate: boolean },
) {
  return {
    ...runnerEntity(runner, now),
    tag_list: runner.tagList,
    run_untagged: runner.runUntagged,
    locked: runner.locked,
    maximum_timeout: runner.maximumTimeout,
    access_level: runner.accessLevel,
    version: info(runner, 'version'),
    revision: info(runner, 'revision'),
    platform: info(runner, 'platform'),
    architecture: info(runner, 'architecture'),
    contacted_at: iso(runner.contactedAt),
    maintenance_note: options.canUpdate ? runner.maintenanceNote : null,
    projects: options.projects.map(({ project, owner }) => basicProjectDetails(project, owner)),
    groups: [],
  };
}

export function runnerRegistration(runner: RunnerRecord, token: string) {
  return { id: runner.id, token, token_expires_at: null };
}
