/**
 * What a search may look at (`/v1/search`, `/v1/search/fuzzy`), decided from the token before
 * the search runs: the namespaces whose jobs, evaluations, allocations and deployments it may
 * read, whether it may read nodes (and node pools), and which namespaces it may see.
 */
export interface SearchScope {
  /** Namespaces with `read-job`. */
  jobNamespaces: string[];
  nodes: boolean;
  namespaceVisible: (name: string) => boolean;
}

/** Nomad's CE contexts, in its order; `all` searches every one the token may read. */
export const SEARCH_CONTEXTS = ['allocs', 'jobs', 'nodes', 'node_pools', 'evals', 'deployment', 'plugins', 'volumes', 'scaling_policy', 'vars', 'namespaces', 'host_volumes'] as const;
export type SearchContext = (typeof SEARCH_CONTEXTS)[number];

/** Contexts whose objects live under a namespace and need `read-job` there. */
export const JOB_CONTEXTS = new Set<SearchContext>(['allocs', 'jobs', 'evals', 'deployment']);
/** Contexts with IDs that are UUIDs (an odd prefix is cut by one character). */
export const UUID_CONTEXTS = new Set<SearchContext>(['allocs', 'nodes', 'evals', 'deployment']);

export function contextError(context: string): string {
  return `context must be one of [${SEARCH_CONTEXTS.join(' ')}] or 'all' for all contexts; got "${context}"`;
}

/** Whether the scope lets a search look at a context at all. */
export function contextReadable(scope: SearchScope, context: SearchContext): boolean {
  if (JOB_CONTEXTS.has(context)) return scope.jobNamespaces.length > 0;
  if (context === 'nodes' || context === 'node_pools') return scope.nodes;
  return true;
}

/** Node pools are not stored: the built-in ones are all there is. */
export const NODE_POOLS = ['all', 'default'];
