import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A debug counter of the DynamoDB requests made on behalf of one piece of work (an HTTP request,
 * an evaluation), for tests and benchmarks that hold the hot paths to the round trips their
 * semantics need. Requests made outside `countDynamoRequests` are not recorded.
 */
const scope = new AsyncLocalStorage<string[]>();

export interface Counted<T> {
  result: T;
  /** The DynamoDB commands sent, in order (`GetItemCommand`, `TransactWriteItemsCommand`, …). */
  requests: string[];
}

export async function countDynamoRequests<T>(work: () => Promise<T>): Promise<Counted<T>> {
  const requests: string[] = [];
  const result = await scope.run(requests, work);
  return { result, requests };
}

export function recordDynamoRequest(command: string): void {
  scope.getStore()?.push(command);
}
