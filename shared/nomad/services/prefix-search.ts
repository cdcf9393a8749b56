import { uuidForm } from './uuid-prefix';
import { contextReadable, SEARCH_CONTEXTS, UUID_CONTEXTS, type SearchContext, type SearchScope } from './search-scope';
import { findAllocs, findDeployments, findEvals, findJobs, findNamespaces, findNodePools, findNodes, searchedTablesIndex, type Found } from './search-sources';

/**
 * `POST /v1/search` (Nomad's Search.PrefixSearch): up to 20 IDs per context that start with the
 * prefix, and whether there were more. UUID contexts cut an odd prefix by one character and
 * skip a prefix that is no UUID prefix at all. Contexts of objects this control plane does not
 * hold (plugins, volumes, scaling policies, variables, host volumes) have no matches.
 */
const TRUNCATE_LIMIT = 20;

export interface SearchResult {
  matches: Record<string, string[] | null>;
  truncations: Record<string, boolean>;
  index: number;
}

/** go-memdb's UUID prefix rule after Nomad's rounding: undefined when the prefix cannot name a UUID. */
export function uuidPrefix(prefix: string): string | undefined {
  const hex = prefix.replaceAll('-', '');
  const rounded = hex.length % 2 === 1 ? hex.slice(0, -1) : hex;
  return /^[0-9a-fA-F]*$/.test(rounded) ? uuidForm(rounded) : undefined;
}

async function search(context: SearchContext, scope: SearchScope, prefix: string): Promise<Found<{ ID: string; ModifyIndex?: number }> | undefined> {
  const ids = (names: Found<string>) => ({ items: names.items.map((ID) => ({ ID })), truncated: names.truncated });
  let query = prefix;
  if (UUID_CONTEXTS.has(context)) {
    const usable = uuidPrefix(prefix);
    if (usable === undefined) return undefined;
    query = usable;
  }
  switch (context) {
    case 'jobs':
      return findJobs(scope, query, TRUNCATE_LIMIT);
    case 'allocs':
      return findAllocs(scope, query, TRUNCATE_LIMIT);
    case 'evals':
      return findEvals(scope, query, TRUNCATE_LIMIT);
    case 'deployment':
      return findDeployments(scope, query, TRUNCATE_LIMIT);
    case 'nodes':
      return findNodes(query, TRUNCATE_LIMIT);
    case 'node_pools':
      return ids(findNodePools(query, TRUNCATE_LIMIT));
    case 'namespaces':
      return ids(await findNamespaces(scope, query, TRUNCATE_LIMIT));
    default:
      return { items: [], truncated: false };
  }
}

export async function prefixSearch(context: SearchContext | 'all', scope: SearchScope, prefix: string): Promise<SearchResult> {
  const contexts = context === 'all' ? SEARCH_CONTEXTS.filter((candidate) => contextReadable(scope, candidate)) : [context];
  const result: SearchResult = { matches: {}, truncations: {}, index: 1 };
  const found = await Promise.all(contexts.map((candidate) => search(candidate, scope, prefix)));
  contexts.forEach((candidate, i) => {
    const hits = found[i];
    if (!hits) return;
    result.matches[candidate] = hits.items.length > 0 ? hits.items.map((item) => item.ID) : null;
    result.truncations[candidate] = hits.truncated;
    for (const item of hits.items) result.index = Math.max(result.index, item.ModifyIndex ?? 0);
  });
  result.index = Math.max(result.index, await searchedTablesIndex(contexts));
  return result;
}
