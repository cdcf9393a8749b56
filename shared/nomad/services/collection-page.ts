import type { CollectionWalk } from '../store/collection-walks';

/**
 * Nomad's paging of allocations and evaluations (`nomad/state/paginator`): ordered by
 * CreateIndex with the token `<CreateIndex>.<ID>`, or by ID with the token `<ID>` when listing by
 * ID prefix. A token names the first item of the next page. The filter applies before counting.
 */
export interface Indexed {
  ID: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export function pageToken(item: Indexed, byId: boolean): string {
  return byId ? item.ID : `${item.CreateIndex}.${item.ID}`;
}

export function tokenStart(token: string | undefined, byId: boolean): CollectionWalk['from'] {
  if (!token) return undefined;
  if (byId) return { id: token };
  const dot = token.indexOf('.');
  const createIndex = token.slice(0, dot);
  // The CreateIndex part compares numerically; a token that has none is compared as it stands.
  return dot > 0 && /^\d+$/.test(createIndex) ? { createIndex: Number(createIndex), id: token.slice(dot + 1) } : { id: token };
}

/** How many raw items to read for a page: enough for the page, in bites DynamoDB and BatchGet take well. */
function bite(missing: number): number {
  return Math.min(Math.max(missing, 25), 100);
}

export function walkPageSize(perPage: number): number {
  return bite(perPage > 0 ? perPage + 1 : 100);
}

/**
 * Takes one page from a walk: `decode` turns each bite of raw items into results (for example
 * joining what the filter reads), `keep` is the filter. Reads at most one bite past the page.
 */
export async function takePage<R, T extends Indexed>(
  source: AsyncIterator<R>,
  perPage: number,
  decode: (batch: R[]) => Promise<T[]>,
  keep?: (item: T) => boolean,
): Promise<{ items: T[]; next?: T }> {
  const wanted = perPage > 0 ? perPage + 1 : Infinity;
  const items: T[] = [];
  let done = false;
  while (!done && items.length < wanted) {
    const batch: R[] = [];
    const size = bite(Number.isFinite(wanted) ? wanted - items.length : 100);
    while (batch.length < size) {
      const step = await source.next();
      if (step.done) {
        done = true;
        break;
      }
      batch.push(step.value);
    }
    for (const item of await decode(batch)) {
      if (keep && !keep(item)) continue;
      if (items.length < wanted) items.push(item);
    }
  }
  const next = perPage > 0 && items.length > perPage ? items.pop() : undefined;
  return { items, next };
}

/** A list's index: its newest change, never 0 (a blocking query on 0 would not block). */
export function listIndex(items: Indexed[]): number {
  return items.reduce((max, item) => Math.max(max, item.ModifyIndex), 1);
}
