import { transact, TransactionConflict } from '../../storage/transact';
import { transitionFields } from '../state/transition-fields';
import { queryDueScheduledJobs, queryPendingJobs, updateJob } from '../store/jobs';
import { queryUnprocessedPipelines, readPipelineWithJobs, touchPipeline } from '../store/pipelines';
import { afterJobsChanged } from './after-transitions';
import { processPipelineNow } from './process-pipeline';
import { notifyAllRunners } from './runner-queue';

/**
 * GitLab's periodic work: delayed jobs whose time has come become pending; pipelines whose jobs
 * changed without being processed (a crash between the two) are processed; and while builds wait,
 * runners are told to look at the queue again in case a notification was lost.
 */
const UNPROCESSED_GRACE_MS = 30_000;

export async function runGitLabDuties(now: number): Promise<{ enqueued: number; reprocessed: number }> {
  let enqueued = 0;
  for (const job of await queryDueScheduledJobs(now)) {
    const changes = { ...transitionFields(job, 'pending', now), scheduledAt: null };
    try {
      await transact([updateJob(job, changes, ['scheduled']), touchPipeline(job.pipelineId, now)]);
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    }
    enqueued++;
    const read = await readPipelineWithJobs(job.pipelineId);
    if (read) await afterJobsChanged(read.pipeline, [{ ...job, ...changes }], read.pipeline.status);
    await processPipelineNow(job.pipelineId);
  }
  const stale = await queryUnprocessedPipelines(now - UNPROCESSED_GRACE_MS);
  for (const pipelineId of stale) await processPipelineNow(pipelineId);
  if ((await queryPendingJobs(1)).jobs.length > 0) await notifyAllRunners();
  return { enqueued, reprocessed: stale.length };
}
