import type { Evaluation } from '../structs/evaluation';
import { writeMeta } from './query-meta';

/** Nomad's AllocStopResponse: the `alloc-stop` evaluation. */
export function allocStopResponse(evaluation: Evaluation, index: number) {
  return { EvalID: evaluation.ID, ...writeMeta(index) };
}
