import type { Evaluation } from '../structs/evaluation';
import { storedAllocFromItem, type StoredAlloc } from './allocs';
import { evalFromItem } from './evals';
import { createOrderPartitions, createOrderSortKey, idOrderPartitions, type ListedKind } from './keys';
import { walkOrdered } from './ordered-walk';

/**
 * Allocations and evaluations across jobs, for `GET /v1/allocations` and `GET /v1/evaluations`:
 * in creation order (CreateIndex, then ID), or in ID order when a `prefix` of the ID is given,
 * over one or several namespaces, from an inclusive start position.
 */
export interface CollectionWalk {
  namespaces: string[];
  prefix?: string;
  /** Where to start: `{createIndex, id}` in creation order, `{id}` with a prefix. */
  from?: { createIndex?: number; id: string };
  reverse: boolean;
  pageSize: number;
}

async function* walkItems(kind: ListedKind, walk: CollectionWalk) {
  const byId = walk.prefix !== undefined;
  const from = walk.from && (byId || walk.from.createIndex === undefined ? walk.from.id : createOrderSortKey(walk.from.createIndex, walk.from.id));
  const namespaces = [...new Set(walk.namespaces)].sort();
  if (walk.reverse) namespaces.reverse();
  yield* walkOrdered({
    partitions: namespaces.flatMap((namespace) => (byId ? idOrderPartitions(kind, namespace) : createOrderPartitions(kind, namespace))),
    from,
    prefix: walk.prefix,
    reverse: walk.reverse,
    pageSize: walk.pageSize,
  });
}

export async function* walkAllocs(walk: CollectionWalk): AsyncGenerator<StoredAlloc> {
  for await (const item of walkItems('ALLOC', walk)) yield storedAllocFromItem(item);
}

export async function* walkEvals(walk: CollectionWalk): AsyncGenerator<Evaluation> {
  for await (const item of walkItems('EVAL', walk)) yield evalFromItem(item);
}
