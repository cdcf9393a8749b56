import type { Evaluation } from '../structs/evaluation';

/**
 * When a delayed evaluation may run (unix ms): its WaitUntil, else its creation plus Wait.
 * SQS FIFO queues have no per-message delay, so delayed evaluations wait in the store and the
 * periodic duties send them when due. Pure.
 */
export function evalDueAt(evaluation: Pick<Evaluation, 'WaitUntil' | 'Wait' | 'CreateTime'>): number {
  if (evaluation.WaitUntil) {
    const at = Date.parse(evaluation.WaitUntil);
    if (Number.isFinite(at)) return at;
  }
  if (evaluation.Wait) return Math.floor(evaluation.CreateTime / 1_000_000) + evaluation.Wait / 1_000_000;
  return 0;
}
