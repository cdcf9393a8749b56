import { walkAllocs, walkEvals } from '../store/collection-walks';
import { listDeployments } from '../store/deployments';
import { jobsIndex, nodesIndex } from '../store/collection-index';
import { walkJobs } from '../store/jobs';
import { listNamespaces } from '../store/namespaces';
import { listNodes } from '../store/nodes';
import type { Allocation } from '../structs/allocation';
import type { Deployment } from '../structs/deployment';
import type { Evaluation } from '../structs/evaluation';
import type { Job } from '../structs/job';
import type { Node } from '../structs/node';
import { NODE_POOLS, type SearchContext, type SearchScope } from './search-scope';

/**
 * The objects a search looks at, by ID (or name) prefix, in ID order, at most `limit` of each;
 * one more than the limit is read to tell whether the answer was truncated.
 */
export interface Found<T> {
  items: T[];
  truncated: boolean;
}

function cut<T>(items: T[], limit: number): Found<T> {
  return { items: items.slice(0, limit), truncated: items.length > limit };
}

const byId = <T extends { ID: string }>(a: T, b: T) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);

async function take<T>(source: AsyncIterable<T>, count: number): Promise<T[]> {
  const taken: T[] = [];
  if (count <= 0) return taken;
  for await (const item of source) {
    taken.push(item);
    if (taken.length >= count) break;
  }
  return taken;
}

export async function findJobs(scope: SearchScope, prefix: string, limit: number): Promise<Found<Job>> {
  const jobs: Job[] = [];
  for (const namespace of scope.jobNamespaces) {
    const found = await take(walkJobs({ namespace, prefix: prefix || undefined, reverse: false, pageSize: limit + 1 }), limit + 1);
    jobs.push(...found.map((record) => record.job));
  }
  return cut(jobs.sort(byId), limit);
}

export async function findAllocs(scope: SearchScope, prefix: string, limit: number): Promise<Found<Allocation>> {
  const walk = walkAllocs({ namespaces: scope.jobNamespaces, prefix, reverse: false, pageSize: limit + 1 });
  const stored = await take(walk, limit + 1);
  return cut(stored.map((entry) => entry.alloc), limit);
}

export async function findEvals(scope: SearchScope, prefix: string, limit: number): Promise<Found<Evaluation>> {
  return cut(await take(walkEvals({ namespaces: scope.jobNamespaces, prefix, reverse: false, pageSize: limit + 1 }), limit + 1), limit);
}

export async function findDeployments(scope: SearchScope, prefix: string, limit: number): Promise<Found<Deployment>> {
  const pages = await Promise.all(scope.jobNamespaces.map((namespace) => listDeployments({ namespace, prefix: prefix || undefined, perPage: 0, reverse: false })));
  return cut(pages.flatMap((page) => page.deployments).sort(byId), limit);
}

export async function findNodes(prefix: string, limit: number): Promise<Found<Node>> {
  return cut((await listNodes(prefix || undefined, { usage: false })).map((entry) => entry.node), limit);
}

export function findNodePools(prefix: string, limit: number): Found<string> {
  return cut(NODE_POOLS.filter((name) => name.startsWith(prefix)), limit);
}

export async function findNamespaces(scope: SearchScope, prefix: string, limit: number): Promise<Found<string>> {
  const names = (await listNamespaces(prefix)).map((entry) => entry.Name).filter(scope.namespaceVisible);
  return cut(names, limit);
}

/** The indexes of the searched collections that keep one (jobs, nodes), for the answer's Index. */
export async function searchedTablesIndex(contexts: readonly SearchContext[]): Promise<number> {
  const tables = [contexts.includes('jobs') ? jobsIndex() : 0, contexts.includes('nodes') ? nodesIndex() : 0];
  return Math.max(0, ...(await Promise.all(tables)));
}
