import { readQueryMeta } from './query-meta';

/** Nomad's EvalCountResponse (`GET /v1/evaluations/count`). */
export function evalCountResponse(count: number, index: number) {
  return { Count: count, ...readQueryMeta(index) };
}
