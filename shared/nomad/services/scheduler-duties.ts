import { serviceLogger } from '../../observability/logger';
import { listOpenEvals } from '../store/evals';
import { enqueueEvals } from '../store/eval-queue';
import { unblockEvals } from '../worker/unblock';
import { enforceProgressDeadlines } from './deployments';
import { completeDrains } from './node-drain';
import { expireHeartbeats } from './node-liveness';

/**
 * The scheduler's timers, run by the periodic duties (every minute on AWS, more often locally):
 * nodes past their heartbeat go down and their allocations are replaced; deployments past their
 * progress deadline fail (and may roll back); `max-plan-attempts` evaluations get another try,
 * as Nomad retries them every minute; blocked evaluations untouched for a while are tried again
 * in case an unblock was lost; finished drains end. (Delayed evaluations are sent when due by
 * the pending-evaluation sweep, requeuePendingEvals.)
 */
const logger = serviceLogger('periodic-duties');

/** A blocked evaluation untouched this long is tried again. */
const STALE_BLOCKED_MS = 5 * 60_000;
const DRAIN_CHECK_MS = 60_000;
let lastDrainCheck = 0;

/** Runs one duty; a failure is logged and left to the next run, never stopping the others. */
async function duty<T>(name: string, work: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    logger.error('scheduler duty failed', { duty: name, error: error as Error });
    return fallback;
  }
}

async function retryStaleBlocked(now: number): Promise<number> {
  const staleBefore = (now - STALE_BLOCKED_MS) * 1000;
  const stale = (await listOpenEvals('blocked')).filter((evaluation) => evaluation.TriggeredBy !== 'max-plan-attempts' && evaluation.ModifyIndex < staleBefore);
  // Wakes like any other: behind fresh work, or a thousand of them would queue ahead of every new job.
  await enqueueEvals(stale, `stale-${now}`, 'wake');
  return stale.length;
}

export async function runSchedulerDuties(now: number): Promise<void> {
  const heartbeats = await duty('heartbeats', () => expireHeartbeats(now), { down: 0, evals: 0 });
  const deadlines = await duty('progress deadlines', () => enforceProgressDeadlines(now), 0);
  const conflicts = await duty('placement conflicts', () => unblockEvals({ triggeredBy: 'max-plan-attempts' }), 0);
  const stale = await duty('stale blocked evaluations', () => retryStaleBlocked(now), 0);
  let drains = 0;
  if (now - lastDrainCheck >= DRAIN_CHECK_MS) {
    lastDrainCheck = now;
    drains = await duty('drains', () => completeDrains(now), 0);
  }
  if (heartbeats.down + deadlines + conflicts + stale + drains > 0) {
    logger.info('scheduler duties', { nodesDown: heartbeats.down, lostEvals: heartbeats.evals, deadlinesMissed: deadlines, retried: conflicts + stale, drains });
  }
}
