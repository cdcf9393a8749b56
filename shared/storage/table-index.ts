import { config } from '../config';
import { batchGet } from './batch-get';
import type { TransactItem } from './transact';

/**
 * The index of a whole collection (Nomad's per-table index), for list responses and blocking
 * queries on lists, where deletions must move the index too. Kept in a few shard items so that no
 * single item takes every write of the collection: a writer sets the shard its key hashes to, a
 * reader takes the maximum of all shards (one BatchGet).
 */
const SHARDS = 8;

function shardOf(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % SHARDS;
}

function shardKey(collection: string, shard: number) {
  return { PK: `INDEX#${collection}`, SK: `SHARD#${shard}` };
}

/** A transaction item recording that `key` in `collection` changed at `index`. */
export function touchCollection(collection: string, key: string, index: number): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: shardKey(collection, shardOf(key)),
      UpdateExpression: 'SET #index = :index',
      ExpressionAttributeNames: { '#index': 'Index' },
      ExpressionAttributeValues: { ':index': index },
    },
  };
}

export async function collectionIndex(collection: string): Promise<number> {
  const keys = Array.from({ length: SHARDS }, (_, shard) => shardKey(collection, shard));
  const items = await batchGet(keys, { consistent: true });
  return items.reduce((max, item) => Math.max(max, Number(item.Index ?? 0)), 0);
}
