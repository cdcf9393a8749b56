import { nextIndex } from '../../storage/index-clock';
import { listOpenEvals } from '../store/evals';
import type { Evaluation } from '../structs/evaluation';
import { enqueueEvals } from '../store/eval-queue';

/**
 * Capacity appeared (a node registered or became eligible, or allocations stopped): give
 * blocked evaluations another try. They stay `blocked` in the store while queued; the worker
 * either places them (complete) or blocks them again, so an unblock that is lost or repeated
 * never loses or duplicates work. Each unblock is sent with its own deduplication suffix: an
 * evaluation the worker is looking at right now goes through once more after it, on the
 * capacity that appeared meanwhile (SQS FIFO keeps it behind the one in flight).
 *
 * With the class of the node that changed, only evaluations that could run there are woken
 * (Nomad's ClassEligibility): those that escaped class checks, were eligible on the class, or
 * never saw it.
 */
export interface UnblockScope {
  exceptJobId?: string;
  nodeClass?: string;
  /** Only `max-plan-attempts` evaluations (the periodic retry of placement conflicts). */
  triggeredBy?: string;
  /** Only evaluations last written before this index. */
  before?: number;
}

function couldRunOn(evaluation: Evaluation, nodeClass: string | undefined): boolean {
  if (!nodeClass || evaluation.EscapedComputedClass) return true;
  const eligibility = evaluation.ClassEligibility ?? {};
  return !(nodeClass in eligibility) || eligibility[nodeClass];
}

export async function unblockEvals(scope: UnblockScope = {}): Promise<number> {
  const blocked = (await listOpenEvals('blocked')).filter(
    (evaluation) =>
      evaluation.JobID !== scope.exceptJobId &&
      couldRunOn(evaluation, scope.nodeClass) &&
      (!scope.triggeredBy || evaluation.TriggeredBy === scope.triggeredBy) &&
      (scope.before === undefined || evaluation.ModifyIndex < scope.before),
  );
  await enqueueEvals(blocked, `unblock-${nextIndex()}`);
  return blocked.length;
}
