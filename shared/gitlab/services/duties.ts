import { transact, TransactionConflict } from '../../storage/transact';
import { enqueuedStatus } from '../state/resource-groups';
import { transitionFields } from '../state/transition-fields';
import type { JobRecord } from '../records';
import { isStuckPending } from '../state/stuck';
import { queryDueScheduledJobs, queryPendingJobs, queryStuckRunningJobs, updateJob } from '../store/jobs';
import { queryUnprocessedPipelines, touchPipeline } from '../store/pipelines';
import { finishPendingProjectDeletions } from './delete-project';
import { afterJobsChanged, processPipelineNow } from './pipeline-engine';
import { notifyAllRunners } from './runner-queue';

/**
 * GitLab's periodic work: delayed jobs whose time has come become pending; stuck builds fail;
 * pipelines whose jobs changed without being processed (a crash between the two) are processed;
 * while builds wait, runners are told to look at the queue again in case a notification was lost;
 * and project deletions cut short are finished.
 */
const UNPROCESSED_GRACE_MS = 30_000;

/** Fails a stuck build (a canceling one ends canceled), unless it moved on meanwhile. */
async function dropStuck(job: JobRecord, now: number): Promise<boolean> {
  const target = job.status === 'canceling' ? 'canceled' : 'failed';
  const changes: Partial<JobRecord> = { ...transitionFields(job, target, now) };
  if (target === 'failed') changes.failureReason = 'stuck_or_timeout_failure';
  try {
    await transact([updateJob(job, changes, [job.status]), touchPipeline(job.pipelineId, now)]);
  } catch (error) {
    if (error instanceof TransactionConflict) return false;
    throw error;
  }
  await processPipelineNow(job.pipelineId);
  return true;
}

export async function runGitLabDuties(now: number): Promise<{ enqueued: number; reprocessed: number; dropped: number }> {
  let enqueued = 0;
  for (const job of await queryDueScheduledJobs(now)) {
    const changes = { ...transitionFields(job, enqueuedStatus(job), now), scheduledAt: null };
    try {
      await transact([updateJob(job, changes, ['scheduled']), touchPipeline(job.pipelineId, now)]);
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    }
    enqueued++;
    const processed = await processPipelineNow(job.pipelineId);
    if (processed) await afterJobsChanged(processed.pipeline, [{ ...job, ...changes }], processed.pipeline.status);
  }
  let dropped = 0;
  const stuckPending = (await queryPendingJobs(100)).jobs.filter((job) => isStuckPending(job, now));
  for (const job of [...(await queryStuckRunningJobs(now)), ...stuckPending]) if (await dropStuck(job, now)) dropped++;
  const stale = await queryUnprocessedPipelines(now - UNPROCESSED_GRACE_MS);
  for (const pipelineId of stale) await processPipelineNow(pipelineId);
  if ((await queryPendingJobs(1)).jobs.length > 0) await notifyAllRunners();
  await finishPendingProjectDeletions();
  return { enqueued, reprocessed: stale.length, dropped };
}
