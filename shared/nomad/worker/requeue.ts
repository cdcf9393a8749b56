import { listOpenEvals } from '../store/evals';
import { enqueueEvals } from './eval-queue';

/**
 * Sends again the evaluations that are pending in the store but may not be on the queue: their
 * send failed after the write, the local queue was lost in a restart, or SQS gave up on them.
 * Only evaluations older than `minAgeMs` are taken, so fresh ones still on their way are left be.
 */
export async function requeuePendingEvals(now: number, minAgeMs: number): Promise<number> {
  const cutoffNanos = (now - minAgeMs) * 1_000_000;
  const stale = (await listOpenEvals('pending')).filter((evaluation) => evaluation.ModifyTime <= cutoffNanos);
  await enqueueEvals(stale, `requeue-${now}`);
  return stale.length;
}
