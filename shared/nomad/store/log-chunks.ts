import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { unlessConditionFails } from '../../storage/transact';
import { allocLogsPk, logChunkSk, logObjectKey, logStreamPrefix } from './client-keys';
import type { LogType } from '../wire/client-protocol';

/**
 * The index of a task's shipped log: one item per chunk, keyed by its byte offset in the stream,
 * so a read finds the chunk holding any offset with one query and pages forward from there.
 */
export interface LogChunk {
  task: string;
  type: LogType;
  offset: number;
  size: number;
  key: string;
}

function fromItem(item: Record<string, any>): LogChunk {
  return { task: item.Task, type: item.Type, offset: Number(item.Offset), size: Number(item.Size), key: item.ObjectKey };
}

/** Records a chunk; recording the same chunk twice (an agent's retry) is a no-op. */
export async function putLogChunk(allocId: string, chunk: Omit<LogChunk, 'key'>): Promise<void> {
  await unlessConditionFails(
    dynamo().send(
      new PutCommand({
        TableName: config().tableName,
        Item: {
          PK: allocLogsPk(allocId),
          SK: logChunkSk(chunk.task, chunk.type, chunk.offset),
          Task: chunk.task,
          Type: chunk.type,
          Offset: chunk.offset,
          Size: chunk.size,
          ObjectKey: logObjectKey(allocId, chunk.task, chunk.type, chunk.offset),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
}

/** The chunk holding `offset` (or the last one before it), if any. */
export async function chunkAt(allocId: string, task: string, type: LogType, offset: number): Promise<LogChunk | undefined> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :first AND :at',
      ExpressionAttributeValues: { ':pk': allocLogsPk(allocId), ':first': logStreamPrefix(task, type), ':at': logChunkSk(task, type, offset) },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return result.Items?.[0] ? fromItem(result.Items[0]) : undefined;
}

/** The stream's last chunk: its end is the stream's size. */
export async function lastChunk(allocId: string, task: string, type: LogType): Promise<LogChunk | undefined> {
  return chunkAt(allocId, task, type, Number.MAX_SAFE_INTEGER);
}

/** Chunks starting at or after `offset`, in order, one page. */
export async function chunksFrom(allocId: string, task: string, type: LogType, offset: number, limit = 50): Promise<LogChunk[]> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :last',
      ExpressionAttributeValues: {
        ':pk': allocLogsPk(allocId),
        ':from': logChunkSk(task, type, offset),
        ':last': logChunkSk(task, type, Number.MAX_SAFE_INTEGER),
      },
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map(fromItem);
}
