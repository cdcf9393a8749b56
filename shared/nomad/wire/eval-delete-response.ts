import type { EvalDeleteResult } from '../services/delete-evals';
import { writeMeta } from './query-meta';

/** Nomad's EvalDeleteResponse (`DELETE /v1/evaluations`): how many were deleted. */
export function evalDeleteResponse(result: EvalDeleteResult) {
  return { Count: result.count, ...writeMeta(result.index) };
}
