import { open, stat } from 'node:fs/promises';
import type { StreamPiece } from '../../../shared/nomad/wire/client-rpc-protocol';
import { STREAM_PART_BYTES } from '../../../shared/nomad/wire/client-rpc-protocol';

/**
 * Reads a file from an offset as Nomad's client streams one: pieces of at most
 * STREAM_PART_BYTES, each with the offset its data ends at; at the end of the file it stops,
 * or with `follow` waits for more (checking four times a second) until `signal` aborts. A file
 * that shrinks starts over at 0 with the `file truncated` event, one that goes away ends the
 * stream with `file deleted`. `limit` > 0 caps the bytes read.
 */
const FOLLOW_POLL_MS = 250;
export const TRUNCATE_EVENT = 'file truncated';
export const DELETE_EVENT = 'file deleted';

export interface FileStreamOptions {
  hostPath: string;
  /** The path as the caller named it, echoed in each piece's File. */
  name: string;
  offset: number;
  limit: number;
  follow: boolean;
  signal: AbortSignal;
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

export async function* streamFile(options: FileStreamOptions): AsyncGenerator<StreamPiece> {
  const { hostPath, name, signal } = options;
  let offset = options.offset;
  let remaining = options.limit > 0 ? options.limit : Infinity;
  let event: string | undefined;
  const buffer = Buffer.alloc(STREAM_PART_BYTES);
  const file = await open(hostPath, 'r');
  try {
    while (!signal.aborted && remaining > 0) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, remaining), offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        remaining -= bytesRead;
        yield { Offset: offset, Data: buffer.subarray(0, bytesRead).toString('base64'), File: name, ...(event ? { FileEvent: event } : {}) };
        event = undefined;
        continue;
      }
      if (event) {
        yield { Offset: offset, File: name, FileEvent: event };
        event = undefined;
      }
      if (!options.follow) return;
      await pause(FOLLOW_POLL_MS, signal);
      let size: number;
      try {
        size = (await stat(hostPath)).size;
      } catch {
        yield { Offset: offset, File: name, FileEvent: DELETE_EVENT };
        return;
      }
      if (size < offset) {
        offset = 0;
        event = TRUNCATE_EVENT;
      }
    }
  } finally {
    await file.close();
  }
}
