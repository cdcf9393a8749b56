import { listOpenEvals } from '../store/evals';
import { evalDueAt } from './due';
import { enqueueEvals } from './eval-queue';

/**
 * Sends again the evaluations that are pending in the store but may not be on the queue: their
 * send failed after the write, the local queue was lost in a restart, or SQS gave up on them.
 * Only evaluations older than `minAgeMs` are taken, so fresh ones still on their way are left be.
 * Delayed evaluations (WaitUntil / Wait) are sent once they are due, which is how they get run:
 * the FIFO queue has no per-message delay.
 */
export async function requeuePendingEvals(now: number, minAgeMs: number): Promise<number> {
  const cutoffNanos = (now - minAgeMs) * 1_000_000;
  const pending = await listOpenEvals('pending');
  const ready = pending.filter((evaluation) => {
    const dueAt = evalDueAt(evaluation);
    if (dueAt > 0) return dueAt <= now;
    return evaluation.ModifyTime <= cutoffNanos;
  });
  await enqueueEvals(ready, `requeue-${now}`);
  return ready.length;
}
