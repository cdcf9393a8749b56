import { BatchWriteCommand, QueryCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { TRACE_CHUNK_PREFIX, traceChunkKey, traceChunkPrefix, traceGenerationKey, tracePk } from './keys';

/**
 * A job's live trace as an ordered chain of immutable chunk items keyed by byte offset. An
 * append at offset S writes new chunk items that must not exist yet, in one transaction with a
 * check that the chunk ending at S (the last one read) is there: so a gap or an overlap is
 * refused (416) and of two appends at the same offset exactly one wins. No item is rewritten.
 * Writing from offset 0 again (the runner's trace reset) or erasing starts a new generation; the
 * newest generation is the trace. A finished trace is archived to S3 as the job's `trace`
 * artifact, and then its chunks are deleted (traces/archive.ts).
 */
const CHUNK_BYTES = 256 * 1024;
/** Chunks per transaction: 12 × 256 KiB stays under DynamoDB's 4 MB per transaction. */
const TRANSACTION_CHUNKS = 12;

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type Key = { PK: string; SK: string };

export interface TraceTail {
  /** The trace's size in bytes. */
  size: number;
  generation: number;
  /** The item the next append must follow (the last chunk, or an empty generation's marker). */
  last?: Key;
}

interface ChunkItem {
  PK: string;
  SK: string;
  offset?: number;
  data?: Uint8Array;
}

function parseSk(sk: string): { generation: number; offset?: number } {
  const [, generation, offset] = sk.split('#');
  return { generation: Number(generation), offset: offset === '-' ? undefined : Number(offset) };
}

export async function traceTail(jobId: number): Promise<TraceTail> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': tracePk(jobId), ':prefix': TRACE_CHUNK_PREFIX },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = result.Items?.[0] as ChunkItem | undefined;
  if (!item) return { size: 0, generation: 0 };
  const { generation, offset } = parseSk(item.SK);
  const size = offset === undefined ? 0 : offset + (item.data?.length ?? 0);
  return { size, generation, last: { PK: item.PK, SK: item.SK } };
}

export type AppendResult = { appended: true; size: number } | { appended: false; size: number };

function chunkPuts(jobId: number, generation: number, start: number, data: Buffer): TransactItem[] {
  const puts: TransactItem[] = [];
  for (let offset = 0; offset < data.length; offset += CHUNK_BYTES) {
    puts.push({
      Put: {
        TableName: config().tableName,
        Item: { ...traceChunkKey(jobId, generation, start + offset), data: data.subarray(offset, offset + CHUNK_BYTES) },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
  }
  return puts;
}

export async function appendTrace(jobId: number, start: number, data: Buffer): Promise<AppendResult> {
  const tail = await traceTail(jobId);
  const reset = start === 0 && tail.size > 0;
  if (start !== tail.size && !reset) return { appended: false, size: tail.size };
  if (data.length === 0) return { appended: true, size: tail.size };
  const generation = reset ? tail.generation + 1 : tail.generation;
  const items = chunkPuts(jobId, generation, start, data);
  if (!reset && tail.last) {
    items.unshift({ ConditionCheck: { TableName: config().tableName, Key: tail.last, ConditionExpression: 'attribute_exists(PK)' } });
  }
  // A transaction carries at most 4 MB: a larger append commits in order, its first part with the
  // condition on the tail. Every chunk is written only where none is, so a crash in between leaves
  // a shorter trace, which the runner completes from the size it is told.
  const [first, ...rest] = batches(items, TRANSACTION_CHUNKS);
  try {
    await transact(first);
  } catch (error) {
    if (!(error instanceof TransactionConflict)) throw error;
    return { appended: false, size: (await traceTail(jobId)).size };
  }
  for (const batch of rest) await transact(batch);
  if (reset) await deleteGenerations(jobId, generation);
  return { appended: true, size: start + data.length };
}

async function generationItems(jobId: number, generation: number): Promise<ChunkItem[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': tracePk(jobId), ':prefix': traceChunkPrefix(generation) },
    ConsistentRead: true,
  });
  return items as ChunkItem[];
}

export async function readTrace(jobId: number): Promise<Buffer> {
  const tail = await traceTail(jobId);
  if (tail.size === 0) return Buffer.alloc(0);
  const chunks = (await generationItems(jobId, tail.generation)).filter((item) => item.data);
  return Buffer.concat(chunks.map((item) => Buffer.from(item.data!))).subarray(0, tail.size);
}

/** Removes the chunks of generations older than `current`. */
async function deleteGenerations(jobId: number, current: number): Promise<void> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': tracePk(jobId), ':from': TRACE_CHUNK_PREFIX, ':to': traceChunkPrefix(current) },
    ProjectionExpression: 'PK, SK',
  });
  const keys = (items as Key[]).filter((key) => parseSk(key.SK).generation < current);
  for (let i = 0; i < keys.length; i += 25) {
    let request: BatchWriteCommandInput['RequestItems'] = { [config().tableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) };
    // Deletes DynamoDB leaves unprocessed (throttling) are sent again, or their chunks would stay for good.
    while (request && Object.keys(request).length > 0) request = (await dynamo().send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems;
  }
}

/** Erase: a new, empty generation, and the old chunks deleted. */
export async function eraseTrace(jobId: number): Promise<void> {
  const tail = await traceTail(jobId);
  if (tail.size === 0) return;
  const generation = tail.generation + 1;
  try {
    await transact([{ Put: { TableName: config().tableName, Item: traceGenerationKey(jobId, generation), ConditionExpression: 'attribute_not_exists(PK)' } }]);
  } catch (error) {
    if (!(error instanceof TransactionConflict)) throw error;
  }
  await deleteGenerations(jobId, generation);
}
