import { Logger } from '@aws-lambda-powertools/logger';
import { launchDuePeriodicJobs } from '../nomad/periodic/due';
import { runSchedulerDuties } from '../nomad/services/scheduler-duties';
import { requeuePendingEvals } from '../nomad/worker/requeue';
import { runGitLabDuties } from '../gitlab/services/periodic';
import { sweepExpiredArtifacts } from '../gitlab/artifacts/sweep';

/**
 * The work no request triggers, run every minute by EventBridge on AWS and by a timer locally.
 */
const logger = new Logger({ serviceName: 'periodic-duties' });

/** Evaluations pending this long are assumed lost on their way to the queue. */
const STALE_EVAL_MS = 30_000;

export async function runPeriodicDuties(now: Date): Promise<void> {
  const requeued = await requeuePendingEvals(now.getTime(), STALE_EVAL_MS);
  if (requeued > 0) logger.info('re-queued pending evaluations', { requeued });
  await runSchedulerDuties(now.getTime());
  const launched = await launchDuePeriodicJobs(now);
  if (launched > 0) logger.info('launched periodic jobs', { launched });
  const gitlab = await runGitLabDuties(now.getTime());
  if (gitlab.enqueued + gitlab.reprocessed + gitlab.dropped > 0) logger.info('GitLab: delayed jobs enqueued, stuck jobs dropped, pipelines reprocessed', gitlab);
  const swept = await sweepExpiredArtifacts(now.getTime());
  if (swept > 0) logger.info('GitLab: expired artifacts removed', { jobs: swept });
}
