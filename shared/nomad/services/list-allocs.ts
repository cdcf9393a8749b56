import { withJobs, type StoredAlloc } from '../store/allocs';
import { walkAllocs } from '../store/collection-walks';
import type { Allocation } from '../structs/allocation';
import { listIndex, pageToken, takePage, tokenStart, walkPageSize } from './collection-page';

/** `GET /v1/allocations`: one page of allocations across jobs, each joined with its job version. */
export interface ListAllocsQuery {
  namespaces: string[];
  prefix?: string;
  perPage: number;
  nextToken?: string;
  reverse: boolean;
  /** Runs on the full Allocation, Job included, as Nomad's filter does. */
  filter?: (alloc: Allocation) => boolean;
}

export interface ListedAlloc {
  stored: StoredAlloc;
  alloc: Allocation;
  ID: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface ListAllocsResult {
  allocs: ListedAlloc[];
  nextToken?: string;
  index: number;
}

async function joinJobs(batch: StoredAlloc[]): Promise<ListedAlloc[]> {
  const joined = await withJobs(batch);
  return batch.map((stored, i) => ({ stored, alloc: joined[i], ID: stored.alloc.ID, CreateIndex: stored.alloc.CreateIndex, ModifyIndex: stored.alloc.ModifyIndex }));
}

export async function listAllocs(query: ListAllocsQuery): Promise<ListAllocsResult> {
  const byId = query.prefix !== undefined;
  const walk = walkAllocs({
    namespaces: query.namespaces,
    prefix: query.prefix,
    from: tokenStart(query.nextToken, byId),
    reverse: query.reverse,
    pageSize: walkPageSize(query.perPage),
  });
  const filter = query.filter;
  const page = await takePage(walk, query.perPage, joinJobs, filter && ((listed) => filter(listed.alloc)));
  return { allocs: page.items, nextToken: page.next && pageToken(page.next, byId), index: listIndex(page.items) };
}
