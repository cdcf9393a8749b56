import { serviceLogger } from '../observability/logger';
import { launchDuePeriodicJobs } from '../nomad/services/launch-due-periodic';
import { runSchedulerDuties } from '../nomad/services/scheduler-duties';
import { requeuePendingEvals } from '../nomad/worker/requeue';
import { moveListKeys } from '../nomad/store/list-keys-move';
import { runGitLabDuties } from '../gitlab/services/duties';
import { sweepExpiredArtifacts } from '../gitlab/artifacts/sweep';
import { runDueSchedules } from '../gitlab/services/pipeline-schedules';

/**
 * The work no request triggers, run every minute by EventBridge on AWS and by a timer locally.
 * Each duty runs on its own: one that fails is logged and retried at the next tick, and does not
 * keep the others from running.
 */
const logger = serviceLogger('periodic-duties');

/** Evaluations pending this long are assumed lost on their way to the queue. */
const STALE_EVAL_MS = 30_000;

const DUTIES: Record<string, (now: Date) => Promise<unknown>> = {
  'nomad: re-queue pending evaluations': (now) => requeuePendingEvals(now.getTime(), STALE_EVAL_MS),
  'nomad: node liveness, delayed evaluations, deployment deadlines': (now) => runSchedulerDuties(now.getTime()),
  'nomad: periodic job launches': (now) => launchDuePeriodicJobs(now),
  'nomad: list keys of jobs, allocations and evaluations written by earlier versions': () => moveListKeys(),
  'gitlab: delayed and stuck jobs, unprocessed pipelines': (now) => runGitLabDuties(now.getTime()),
  'gitlab: expired artifacts': (now) => sweepExpiredArtifacts(now.getTime()),
  'gitlab: pipeline schedules': (now) => runDueSchedules(now.getTime()),
};

export async function runPeriodicDuties(now: Date): Promise<void> {
  let failed = 0;
  for (const [duty, run] of Object.entries(DUTIES)) {
    try {
      logger.info(duty, { outcome: await run(now) });
    } catch (error) {
      failed++;
      logger.error(`${duty} failed`, { error: error as Error });
    }
  }
  if (failed > 0) throw new Error(`${failed} periodic duties failed; see the log`);
}
