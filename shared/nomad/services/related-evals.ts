import { findEval } from '../store/evals';
import type { Evaluation } from '../structs/evaluation';

/**
 * Nomad's EvalsRelatedToID: the evaluations reachable from one through NextEval, PreviousEval
 * and BlockedEval, transitively and breadth first, without the evaluation itself; IDs that name
 * no evaluation (any longer) are skipped.
 */
export async function relatedEvals(evaluation: Evaluation): Promise<Evaluation[]> {
  const seen = new Set([evaluation.ID]);
  const related: Evaluation[] = [];
  let frontier = [evaluation];
  while (frontier.length > 0) {
    const ids = frontier.flatMap((current) => [current.NextEval, current.PreviousEval, current.BlockedEval]).filter((id): id is string => !!id && !seen.has(id));
    ids.forEach((id) => seen.add(id));
    const found = (await Promise.all(ids.map(findEval))).filter((entry): entry is Evaluation => entry !== undefined);
    related.push(...found);
    frontier = found;
  }
  return related;
}
