import { BatchGetCommand, type BatchGetCommandInput, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients';
import { config } from '../config';

type Key = Record<string, unknown>;

/** DynamoDB's limit of keys in one BatchGetItem call. */
const MAX_BATCH_KEYS = 100;

/**
 * The items of the table that exist under `keys`, in as few BatchGetItem calls as possible
 * (keys DynamoDB leaves unprocessed are asked again). Order is not kept.
 */
export async function batchGet(keys: Key[], options: { consistent?: boolean; projection?: string } = {}): Promise<Record<string, any>[]> {
  const table = config().tableName;
  const items: Record<string, any>[] = [];
  for (let start = 0; start < keys.length; start += MAX_BATCH_KEYS) {
    let request: BatchGetCommandInput['RequestItems'] = {
      [table]: { Keys: keys.slice(start, start + MAX_BATCH_KEYS), ConsistentRead: options.consistent, ProjectionExpression: options.projection },
    };
    while (request && Object.keys(request).length > 0) {
      const result: BatchGetCommandOutput = await dynamo().send(new BatchGetCommand({ RequestItems: request }));
      items.push(...(result.Responses?.[table] ?? []));
      request = result.UnprocessedKeys;
    }
  }
  return items;
}
