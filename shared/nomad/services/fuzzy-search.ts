import type { Job } from '../structs/job';
import { contextReadable, SEARCH_CONTEXTS, type SearchContext, type SearchScope } from './search-scope';
import { findAllocs, findDeployments, findEvals, findJobs, findNamespaces, findNodePools, findNodes, searchedTablesIndex } from './search-sources';

/**
 * `POST /v1/search/fuzzy` (Nomad's Search.FuzzySearch with its default `search` settings): a
 * case-insensitive substring match on names, over the first `limit_query` objects of each
 * context, at most `limit_results` matches each, ordered by where the text matched, then by
 * length, then lexically. A job yields matches in `jobs`, `groups`, `services`, `tasks`,
 * `images`, `commands` and `classes`; evaluations and deployments are still matched by ID prefix.
 */
export const MIN_TERM_LENGTH = 2;
const LIMIT_QUERY = 20;
const LIMIT_RESULTS = 100;

export interface FuzzyMatch {
  ID: string;
  Scope?: string[];
}

export interface FuzzyResult {
  matches: Record<string, FuzzyMatch[] | null>;
  truncations: Record<string, boolean>;
  index: number;
}

export interface Scored extends FuzzyMatch {
  at: number;
}

function scored(text: string, name: string, scope?: string[]): Scored | undefined {
  const at = name.toLowerCase().indexOf(text);
  if (at < 0) return undefined;
  return scope && scope.length > 0 ? { ID: name, Scope: scope, at } : { ID: name, at };
}

/** Nomad's order and limit; the scores are dropped. Pure. */
export function ranked(matches: Scored[]): { matches: FuzzyMatch[]; truncated: boolean } {
  const sorted = [...matches].sort((a, b) => a.at - b.at || a.ID.length - b.ID.length || (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
  return { matches: sorted.slice(0, LIMIT_RESULTS).map(({ at: _at, ...match }) => match), truncated: sorted.length > LIMIT_RESULTS };
}

const DRIVER_FIELDS: Record<string, { context: string; key: string }> = {
  docker: { context: 'images', key: 'image' },
  podman: { context: 'images', key: 'image' },
  exec: { context: 'commands', key: 'command' },
  raw_exec: { context: 'commands', key: 'command' },
  java: { context: 'classes', key: 'class' },
};

/** Every match a job yields, by context. Pure. */
export function jobMatches(job: Job, text: string): Record<string, Scored[]> {
  const found: Record<string, Scored[]> = {};
  const add = (context: string, match: Scored | undefined) => {
    if (match) (found[context] ??= []).push(match);
  };
  const ns = job.Namespace;
  add('jobs', scored(text, job.Name || job.ID, [ns, job.ID]));
  for (const group of job.TaskGroups ?? []) {
    add('groups', scored(text, group.Name, [ns, job.ID]));
    for (const service of group.Services ?? []) add('services', scored(text, service.Name, [ns, job.ID, group.Name]));
    for (const task of group.Tasks ?? []) {
      add('tasks', scored(text, task.Name, [ns, job.ID, group.Name]));
      for (const service of task.Services ?? []) add('services', scored(text, service.Name, [ns, job.ID, group.Name, task.Name]));
      const field = DRIVER_FIELDS[task.Driver];
      const value = field && (task.Config as Record<string, unknown> | null)?.[field.key];
      if (field && typeof value === 'string') add(field.context, scored(text, value, [ns, job.ID, group.Name, task.Name]));
    }
  }
  return found;
}

async function searchContext(context: SearchContext, scope: SearchScope, text: string, result: FuzzyResult): Promise<void> {
  const put = (name: string, matches: Scored[], scannedMore: boolean) => {
    const { matches: kept, truncated } = ranked(matches);
    result.matches[name] = kept.length > 0 ? kept : null;
    result.truncations[name] = truncated || scannedMore;
  };
  switch (context) {
    case 'jobs': {
      const jobs = await findJobs(scope, '', LIMIT_QUERY);
      const byContext: Record<string, Scored[]> = {};
      for (const job of jobs.items) {
        for (const [name, matches] of Object.entries(jobMatches(job, text))) (byContext[name] ??= []).push(...matches);
      }
      put('jobs', byContext.jobs ?? [], jobs.truncated);
      for (const [name, matches] of Object.entries(byContext)) if (name !== 'jobs') put(name, matches, jobs.truncated);
      return;
    }
    case 'allocs': {
      const allocs = await findAllocs(scope, '', LIMIT_QUERY);
      put('allocs', allocs.items.flatMap((alloc) => scored(text, alloc.Name, [alloc.Namespace, alloc.ID]) ?? []), allocs.truncated);
      return;
    }
    case 'nodes': {
      const nodes = await findNodes('', LIMIT_QUERY);
      put('nodes', nodes.items.flatMap((node) => scored(text, node.Name, [node.ID]) ?? []), nodes.truncated);
      return;
    }
    case 'node_pools': {
      const pools = findNodePools('', LIMIT_QUERY);
      put('node_pools', pools.items.flatMap((name) => scored(text, name, [name]) ?? []), pools.truncated);
      return;
    }
    case 'namespaces': {
      const names = await findNamespaces(scope, '', LIMIT_QUERY);
      put('namespaces', names.items.flatMap((name) => scored(text, name) ?? []), names.truncated);
      return;
    }
    case 'evals':
    case 'deployment': {
      const found = context === 'evals' ? await findEvals(scope, '', LIMIT_QUERY) : await findDeployments(scope, '', LIMIT_QUERY);
      const hits = found.items.filter((item) => item.ID.startsWith(text)).map((item) => ({ ID: item.ID, at: 0 }));
      put(context, hits, found.truncated);
      return;
    }
    default:
      put(context, [], false);
  }
}

export async function fuzzySearch(context: SearchContext | 'all', scope: SearchScope, text: string): Promise<FuzzyResult> {
  const contexts = context === 'all' ? SEARCH_CONTEXTS.filter((candidate) => contextReadable(scope, candidate)) : [context];
  const result: FuzzyResult = { matches: {}, truncations: {}, index: 1 };
  for (const candidate of contexts) await searchContext(candidate, scope, text.toLowerCase(), result);
  result.index = Math.max(result.index, await searchedTablesIndex(contexts));
  return result;
}
