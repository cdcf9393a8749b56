import { BatchWriteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { traceChunkKey, traceChunkPrefix, traceHeadKey } from './keys';

/**
 * A job's live trace as ordered chunks: every append is a new item keyed by its byte offset, and a
 * small head item holds the size. An append is one transaction that moves the head from the size
 * the runner says it starts at to the new size and creates the chunks, so a gap, an overlap or two
 * concurrent appends cannot both succeed. Writing from offset 0 again starts a new generation (the
 * runner's trace reset). Archiving a finished trace to S3 replaces the chunks by one object and a
 * pointer in the head.
 */
const CHUNK_BYTES = 256 * 1024;

export interface TraceHead {
  size: number;
  generation: number;
}

export async function traceHead(jobId: number): Promise<TraceHead> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: traceHeadKey(jobId), ConsistentRead: true }));
  return { size: Number(result.Item?.size ?? 0), generation: Number(result.Item?.generation ?? 0) };
}

export type AppendResult = { appended: true; size: number } | { appended: false; size: number };

export async function appendTrace(jobId: number, start: number, data: Buffer): Promise<AppendResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const head = await traceHead(jobId);
    const reset = start === 0 && head.size > 0;
    if (start !== head.size && !reset) return { appended: false, size: head.size };
    if (data.length === 0) return { appended: true, size: head.size };
    const generation = reset ? head.generation + 1 : head.generation;
    const size = start + data.length;
    const table = config().tableName;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: table,
          Item: { ...traceHeadKey(jobId), size, generation },
          ConditionExpression: 'attribute_not_exists(PK) OR (#size = :size AND #generation = :generation)',
          ExpressionAttributeNames: { '#size': 'size', '#generation': 'generation' },
          ExpressionAttributeValues: { ':size': head.size, ':generation': head.generation },
        },
      },
    ];
    for (let offset = 0; offset < data.length; offset += CHUNK_BYTES) {
      items.push({
        Put: {
          TableName: table,
          Item: { ...traceChunkKey(jobId, generation, start + offset), data: data.subarray(offset, offset + CHUNK_BYTES) },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      });
    }
    try {
      await transact(items);
      if (reset) await deleteGeneration(jobId, head.generation);
      return { appended: true, size };
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
    }
  }
  const head = await traceHead(jobId);
  return { appended: false, size: head.size };
}

async function chunkKeys(jobId: number, generation: number): Promise<{ keys: Record<string, unknown>[]; data: Buffer[] }> {
  const keys: Record<string, unknown>[] = [];
  const data: Buffer[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: config().tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': traceHeadKey(jobId).PK, ':prefix': traceChunkPrefix(generation) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of result.Items ?? []) {
      keys.push({ PK: item.PK, SK: item.SK });
      data.push(Buffer.from(item.data as Uint8Array));
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return { keys, data };
}

export async function readTrace(jobId: number): Promise<Buffer> {
  const head = await traceHead(jobId);
  if (head.size === 0) return Buffer.alloc(0);
  const { data } = await chunkKeys(jobId, head.generation);
  return Buffer.concat(data).subarray(0, head.size);
}

async function deleteGeneration(jobId: number, generation: number): Promise<void> {
  const { keys } = await chunkKeys(jobId, generation);
  for (let i = 0; i < keys.length; i += 25) {
    await dynamo().send(
      new BatchWriteCommand({ RequestItems: { [config().tableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) } }),
    );
  }
}

/** Erase: the trace is emptied (a new, empty generation) and its chunks deleted. */
export async function eraseTrace(jobId: number): Promise<void> {
  const head = await traceHead(jobId);
  if (head.size === 0) return;
  await transact([
    {
      Put: {
        TableName: config().tableName,
        Item: { ...traceHeadKey(jobId), size: 0, generation: head.generation + 1 },
        ConditionExpression: '#generation = :generation',
        ExpressionAttributeNames: { '#generation': 'generation' },
        ExpressionAttributeValues: { ':generation': head.generation },
      },
    },
  ]);
  await deleteGeneration(jobId, head.generation);
}
