import { serviceLogger } from '../../observability/logger';
import { listOpenEvals } from '../store/evals';
import type { Evaluation } from '../structs/evaluation';
import { evalDueAt } from './due';
import { enqueueEvals } from '../store/eval-queue';
import { quarantineEval } from './quarantine';

/**
 * Sends again the evaluations that are pending in the store but may not be on the queue: their
 * send failed after the write, the local queue was lost in a restart, or SQS gave up on them.
 * Only evaluations older than `minAgeMs` are taken, so fresh ones still on their way are left be.
 * Delayed evaluations (WaitUntil / Wait) are sent once they are due, which is how they get run:
 * the FIFO queue has no per-message delay.
 *
 * It runs at every start of the local stack and on every periodic tick, over whatever a previous
 * version left in the store, so it never throws: a record that is not a usable evaluation is
 * quarantined, one SQS refuses is quarantined by enqueueEvals, and a failure to reach the store
 * or the queue is logged and left to the next tick.
 */
const logger = serviceLogger('periodic-duties');

function wellFormed(evaluation: Evaluation): boolean {
  const text = (value: unknown) => typeof value === 'string' && value.length > 0;
  const integer = (value: unknown) => Number.isSafeInteger(value);
  return (
    text(evaluation.ID) &&
    text(evaluation.Namespace) &&
    text(evaluation.JobID) &&
    text(evaluation.TriggeredBy) &&
    integer(evaluation.ModifyIndex) &&
    integer(evaluation.CreateIndex) &&
    Number.isFinite(evaluation.ModifyTime)
  );
}

export async function requeuePendingEvals(now: number, minAgeMs: number): Promise<number> {
  const cutoffNanos = (now - minAgeMs) * 1_000_000;
  let pending: Evaluation[];
  try {
    pending = await listOpenEvals('pending');
  } catch (error) {
    logger.error('could not list pending evaluations', { error: error as Error });
    return 0;
  }
  const ready: Evaluation[] = [];
  for (const evaluation of pending) {
    if (!wellFormed(evaluation)) {
      await quarantineEval(evaluation, 'evaluation record is malformed');
      continue;
    }
    const dueAt = evalDueAt(evaluation);
    if (dueAt > 0 ? dueAt <= now : evaluation.ModifyTime <= cutoffNanos) ready.push(evaluation);
  }
  try {
    await enqueueEvals(ready, `requeue-${now}`);
  } catch (error) {
    logger.error('could not queue pending evaluations; the next sweep tries again', { error: error as Error });
  }
  return ready.length;
}
