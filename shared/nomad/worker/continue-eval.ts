import { nextIndex } from '../../storage/index-clock';
import { transact, TransactionConflict } from '../../storage/transact';
import { replaceEval } from '../store/evals';
import type { Evaluation } from '../structs/evaluation';
import { queueNewEvals } from '../store/eval-queue';
import { maybeFail } from './faults';

/**
 * Hands an evaluation whose plan is only partly committed to the next invocation, which goes on
 * from what is committed: one invocation never works on one evaluation for longer than its
 * budget, however large the count. The evaluation stays open; it is rewritten (its progress in
 * QueuedAllocations, a new ModifyIndex, conditioned on the one this run read) and sent again
 * behind the message being handled, in the job's message group.
 *
 * The rewrite makes the hand-off happen once: a stale copy of the message (a redelivery, a
 * periodic re-send) fails the condition at its own hand-off or finish and stops there. If the
 * send is lost after the rewrite, the evaluation is still pending in the store and the periodic
 * sweep sends it again, so nothing is lost either way.
 */
export async function continueEval(evaluation: Evaluation, queuedAllocations: Record<string, number>): Promise<'continued' | 'ignored'> {
  const index = nextIndex();
  const next: Evaluation = { ...evaluation, QueuedAllocations: queuedAllocations, ModifyIndex: index, ModifyTime: Date.now() * 1_000_000 };
  try {
    await transact([replaceEval(next, evaluation.ModifyIndex)]);
  } catch (error) {
    if (error instanceof TransactionConflict && !error.transient) return 'ignored';
    throw error;
  }
  maybeFail('mid-handoff');
  await queueNewEvals([next]);
  return 'continued';
}
