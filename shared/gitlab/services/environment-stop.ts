import type { UserRecord } from '../records';
import type { EnvironmentView } from '../state/environments';
import { updateEnvironment } from '../store/environments';
import { getJobs } from '../store/jobs';
import { playJob } from './job-actions';

/**
 * `POST /projects/:id/environments/:id/stop` (GitLab's `Environments::StopService`): its manual
 * stop job is played; without one (or with `force`), it is stopped at once.
 */
export async function stopEnvironment(view: EnvironmentView, user: UserRecord, force: boolean): Promise<void> {
  const stopJob = view.environment.stopJobId ? (await getJobs([view.environment.stopJobId])).get(view.environment.stopJobId) : undefined;
  if (!force && stopJob && stopJob.status === 'manual') {
    await playJob(stopJob, user, []);
    return;
  }
  await updateEnvironment(view.environment.projectId, view.environment.name, { stoppedAt: Date.now() });
}
