import { readQueryMeta } from './query-meta';

/** Go marshals maps with their keys sorted. */
function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Nomad's SearchResponse and FuzzySearchResponse: matches and truncations per context. */
export function searchResponse<M>(result: { matches: Record<string, M>; truncations: Record<string, boolean>; index: number }) {
  return { Matches: sortedKeys(result.matches), Truncations: sortedKeys(result.truncations), ...readQueryMeta(result.index) };
}
