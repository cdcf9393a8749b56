import { BatchGetCommand, type BatchGetCommandInput, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients';
import { config } from '../config';

type Key = Record<string, unknown>;

/** DynamoDB's limit of keys in one BatchGetItem call. */
const MAX_BATCH_KEYS = 100;
/** Calls in flight at once for one read of many keys. */
const PARALLEL_CALLS = 8;

/**
 * The items of the table that exist under `keys`, in as few BatchGetItem calls as possible, up to
 * PARALLEL_CALLS of them at a time (keys DynamoDB leaves unprocessed are asked again). Order is not kept.
 */
export async function batchGet(keys: Key[], options: { consistent?: boolean; projection?: string } = {}): Promise<Record<string, any>[]> {
  const table = config().tableName;
  const chunks: Key[][] = [];
  for (let start = 0; start < keys.length; start += MAX_BATCH_KEYS) chunks.push(keys.slice(start, start + MAX_BATCH_KEYS));
  const fetchChunk = async (chunk: Key[]) => {
    const items: Record<string, any>[] = [];
    let request: BatchGetCommandInput['RequestItems'] = {
      [table]: { Keys: chunk, ConsistentRead: options.consistent, ProjectionExpression: options.projection },
    };
    while (request && Object.keys(request).length > 0) {
      const result: BatchGetCommandOutput = await dynamo().send(new BatchGetCommand({ RequestItems: request }));
      items.push(...(result.Responses?.[table] ?? []));
      request = result.UnprocessedKeys;
    }
    return items;
  };
  const items: Record<string, any>[] = [];
  for (let wave = 0; wave < chunks.length; wave += PARALLEL_CALLS) {
    for (const fetched of await Promise.all(chunks.slice(wave, wave + PARALLEL_CALLS).map(fetchChunk))) items.push(...fetched);
  }
  return items;
}
