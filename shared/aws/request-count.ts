import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A debug counter of the DynamoDB requests made on behalf of one piece of work (an HTTP request,
 * an evaluation), for tests and benchmarks that hold the hot paths to the round trips their
 * semantics need, and for the cost arithmetic of docs/scale.md: while counting, every request asks
 * DynamoDB for the capacity it consumed (read and write request units, indexes included). Requests
 * made outside `countDynamoRequests` are not recorded.
 */
interface Tally {
  requests: string[];
  readUnits: number;
  writeUnits: number;
}

const scope = new AsyncLocalStorage<Tally>();

export interface Counted<T> {
  result: T;
  /** The DynamoDB commands sent, in order (`GetItemCommand`, `TransactWriteItemsCommand`, …). */
  requests: string[];
  /** Read request units consumed (a strongly consistent 4 KB read is one; a transactional one two). */
  readUnits: number;
  /** Write request units consumed (1 KB written is one; in a transaction two), index writes included. */
  writeUnits: number;
}

export async function countDynamoRequests<T>(work: () => Promise<T>): Promise<Counted<T>> {
  const tally: Tally = { requests: [], readUnits: 0, writeUnits: 0 };
  const result = await scope.run(tally, work);
  return { result, ...tally };
}

/** Records a request about to be sent; true while counting (the caller then asks for its consumed capacity). */
export function recordDynamoRequest(command: string): boolean {
  const tally = scope.getStore();
  tally?.requests.push(command);
  return tally !== undefined;
}

interface Consumed {
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  CapacityUnits?: number;
}

/** Adds what a response reports as consumed (`ConsumedCapacity`, one entry or one per table). */
export function recordConsumedCapacity(consumed: Consumed | Consumed[] | undefined, command: string): void {
  const tally = scope.getStore();
  if (!tally || !consumed) return;
  for (const entry of Array.isArray(consumed) ? consumed : [consumed]) {
    const reads = entry.ReadCapacityUnits;
    const writes = entry.WriteCapacityUnits;
    if (reads !== undefined || writes !== undefined) {
      tally.readUnits += reads ?? 0;
      tally.writeUnits += writes ?? 0;
    } else if (/Get|Query|Scan/.test(command)) tally.readUnits += entry.CapacityUnits ?? 0;
    else tally.writeUnits += entry.CapacityUnits ?? 0;
  }
}
