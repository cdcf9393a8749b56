import { serviceLogger } from '../../observability/logger';
import { accessLevelIn } from '../auth/policy';
import { GitLabError } from '../errors';
import type { PipelineScheduleRecord, ProjectRecord, UserRecord } from '../records';
import { nextRunAfter } from '../state/cron-schedule';
import { transact, TransactionConflict } from '../../storage/transact';
import { advanceSchedule, getSchedule, queryDueSchedules, setLastPipeline } from '../store/pipeline-schedules';
import { getProject } from '../store/projects';
import { getUser } from '../store/users';
import { createPipeline } from './pipeline-engine';

/**
 * Running pipeline schedules (`RunPipelineScheduleWorker`): the periodic duties create a pipeline
 * (`source: schedule`, as the schedule's owner, with its variables) for each active schedule whose
 * next run has come, and move that next run on in the same transaction as the pipeline, on the
 * condition that it is still the run they read. A second delivery of the same tick, or a second
 * process, loses that condition and creates nothing. A schedule whose pipeline cannot be created
 * (an invalid CI file, an owner who lost access) still moves on, as GitLab's does.
 */
const logger = serviceLogger('gitlab-pipeline-schedules');

async function mayRun(owner: UserRecord, project: ProjectRecord): Promise<boolean> {
  if (owner.state !== 'active') return false;
  return (await accessLevelIn({ kind: 'user', user: owner, scopes: ['api'] }, project.id)) >= 30;
}

/** Creates the run's pipeline with the schedule's move; false when another delivery made it first or it cannot be created. */
async function createRun(schedule: PipelineScheduleRecord, project: ProjectRecord, owner: UserRecord, next: number): Promise<boolean> {
  try {
    await createPipeline({
      project,
      user: owner,
      ref: schedule.ref,
      source: 'schedule',
      variables: schedule.variables,
      scheduleId: schedule.id,
      alsoWrite: (pipeline) => [advanceSchedule(schedule, next, pipeline.id)],
    });
    return true;
  } catch (error) {
    if (error instanceof TransactionConflict) return false;
    if (!(error instanceof GitLabError)) throw error;
    logger.warn('scheduled pipeline not created', { scheduleId: schedule.id, projectId: schedule.projectId, reason: error.body });
    return false;
  }
}

async function runDue(schedule: PipelineScheduleRecord, now: number): Promise<boolean> {
  const project = await getProject(schedule.projectId);
  if (!project || project.pendingDelete) return false;
  const next = nextRunAfter(schedule.cron, schedule.cronTimezone, now);
  const owner = await getUser(schedule.ownerId);
  if (owner && (await mayRun(owner, project))) {
    if (await createRun(schedule, project, owner, next)) return true;
  } else {
    logger.warn('scheduled pipeline not created: its owner may not run pipelines', { scheduleId: schedule.id, projectId: schedule.projectId });
  }
  // No pipeline this time; the schedule moves on all the same (unless another delivery moved it).
  try {
    await transact([advanceSchedule(schedule, next, null)]);
  } catch (error) {
    if (!(error instanceof TransactionConflict)) throw error;
  }
  return false;
}

export async function runDueSchedules(now: number): Promise<{ created: number }> {
  let created = 0;
  for (const listed of await queryDueSchedules(now)) {
    const schedule = await getSchedule(listed.projectId, listed.id);
    if (!schedule || !schedule.active || schedule.nextRunAt > now) continue;
    if (await runDue(schedule, now)) created++;
  }
  return { created };
}

/** `play`: a pipeline now, as the user who asked, leaving the next run as it is. */
export async function playSchedule(schedule: PipelineScheduleRecord, project: ProjectRecord, user: UserRecord): Promise<void> {
  const { pipeline } = await createPipeline({ project, user, ref: schedule.ref, source: 'schedule', variables: schedule.variables, scheduleId: schedule.id });
  await setLastPipeline(schedule, pipeline.id);
}
