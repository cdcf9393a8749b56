import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../aws/clients';
import { config } from '../../config';
import type { LogType } from '../wire/client-protocol';
import { chunkAt, chunksFrom, lastChunk } from './log-chunks';

/**
 * Reads a task's shipped log from its chunks: where to start (`origin`/`offset` as Nomad reads
 * them: from the start, or that many bytes before the end) and the bytes from there on, fetched
 * from S3 with ranged GETs, one chunk at a time.
 */
export interface LogCursor {
  allocId: string;
  task: string;
  type: LogType;
}

export async function startOffset(cursor: LogCursor, origin: 'start' | 'end', offset: number): Promise<number> {
  if (origin === 'start') return Math.max(0, offset);
  const last = await lastChunk(cursor.allocId, cursor.task, cursor.type);
  const size = last ? last.offset + last.size : 0;
  return Math.max(0, size - offset);
}

/**
 * Yields `{data, end}` pieces from `from` up to what is shipped now; `end` is the offset after
 * the piece. Stops at the current end of the log.
 */
export async function* readLog(cursor: LogCursor, from: number): AsyncGenerator<{ data: Uint8Array; end: number }> {
  let position = from;
  const first = await chunkAt(cursor.allocId, cursor.task, cursor.type, position);
  let page = first && first.offset + first.size > position ? [first] : [];
  if (page.length === 0) page = await chunksFrom(cursor.allocId, cursor.task, cursor.type, position);
  while (page.length > 0) {
    for (const chunk of page) {
      if (chunk.offset + chunk.size <= position) continue;
      const skip = Math.max(0, position - chunk.offset);
      const object = await s3().send(
        new GetObjectCommand({ Bucket: config().bucketName, Key: chunk.key, Range: `bytes=${skip}-${chunk.size - 1}` }),
      );
      const data = await object.Body!.transformToByteArray();
      position = chunk.offset + skip + data.length;
      yield { data, end: position };
    }
    page = await chunksFrom(cursor.allocId, cursor.task, cursor.type, position);
  }
}
