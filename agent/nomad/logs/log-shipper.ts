import { appendFileSync, closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { backoffDelay } from '../../common/backoff';
import type { Logger } from '../../common/logger';
import type { TaskLogSink } from '../allocrunner/task-runner';
import type { LogType } from '../../../shared/nomad/wire/client-protocol';
import type { ControlPlane, LogChunk } from '../control-plane';
import type { LogOffsets } from './log-offsets';

/**
 * Task output: the task's log files in the allocation directory (Nomad's names,
 * `alloc/logs/<task>.stdout.0`), which task processes write to directly, shipped to S3 in chunks
 * so the API can serve `/v1/client/fs/logs` without the agent. The shipper tails the files from
 * the offset shipped so far (which the agent keeps in its state, so a restarted agent carries
 * on where the last one stopped). Each round asks the API for presigned PUT URLs for the
 * allocation's new chunks (one request), uploads them straight to S3, then commits them to the
 * chunk index (one request). A chunk is only committed after its upload succeeded, so the index
 * never points at a missing object; a failed round is retried with backoff from the same offset.
 *
 * The server indexes the first chunk committed at an offset and ignores later ones, so a chunk
 * is always sent again exactly as first sent: its size is recorded (`inflight`, and in the
 * agent's state through `onShipping`) before it goes out, and a retry — or the next agent, after
 * a crash between commit and state save — sends that same range before anything newer.
 */

interface Stream {
  allocId: string;
  task: string;
  type: LogType;
  path: string;
  /** Everything before it is committed. */
  shipped: number;
  /** Size of the chunk at `shipped` already sent (maybe committed); 0 when none. */
  inflight: number;
}

export interface LogShipperOptions {
  flushMs?: number;
  /** Largest chunk shipped in one object. */
  maxChunkBytes?: number;
  /** Called after a round committed chunks (the offsets moved). */
  onShipped?: () => void;
  /** Called, and must have recorded `offsets()`, before a round sends its chunks. */
  onShipping?: () => void;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readRange(path: string, from: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, from);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

export class LogShipper {
  private readonly streams = new Map<string, Stream>();
  /** One shipping round at a time per allocation. */
  private readonly rounds = new Map<string, Promise<void>>();
  private readonly timer: NodeJS.Timeout;
  private failures = 0;
  private retryAt = 0;
  private readonly maxChunk: number;

  constructor(
    private readonly plane: ControlPlane,
    private readonly log: Logger,
    private readonly options: LogShipperOptions = {},
  ) {
    this.maxChunk = options.maxChunkBytes ?? 256 * 1024;
    this.timer = setInterval(() => {
      if (Date.now() < this.retryAt) return;
      for (const allocId of new Set([...this.streams.values()].filter((s) => fileSize(s.path) > s.shipped).map((s) => s.allocId))) void this.ship(allocId);
    }, options.flushMs ?? 1_000);
  }

  /** The task's log files, tailed from `from` (what a previous agent shipped) or their start. */
  sink(allocId: string, logDir: string, task: string, from?: LogOffsets): TaskLogSink {
    const open = (type: LogType): Stream => {
      const key = `${allocId}/${task}/${type}`;
      let stream = this.streams.get(key);
      if (!stream) {
        const path = join(logDir, `${task}.${type}.0`);
        appendFileSync(path, '');
        stream = { allocId, task, type, path, shipped: from?.[type] ?? 0, inflight: from?.inflight?.[type] ?? 0 };
        this.streams.set(key, stream);
      }
      return stream;
    };
    const stdout = open('stdout');
    const stderr = open('stderr');
    return {
      files: { stdout: stdout.path, stderr: stderr.path },
      stdout: (chunk) => appendFileSync(stdout.path, chunk),
      stderr: (chunk) => appendFileSync(stderr.path, chunk),
      flush: () => this.drain(allocId),
      offsets: () => ({ stdout: stdout.shipped, stderr: stderr.shipped, inflight: { stdout: stdout.inflight, stderr: stderr.inflight } }),
    };
  }

  private pending(allocId: string): boolean {
    return [...this.streams.values()].some((stream) => stream.allocId === allocId && fileSize(stream.path) > stream.shipped);
  }

  /** Ships everything written so far for the allocation; resolves when it is committed (or given up for now). */
  async drain(allocId: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.ship(allocId);
      if (!this.pending(allocId)) return;
    }
  }

  private ship(allocId: string): Promise<void> {
    const previous = this.rounds.get(allocId) ?? Promise.resolve();
    const round = previous.then(() => this.round(allocId));
    this.rounds.set(allocId, round);
    void round.finally(() => {
      if (this.rounds.get(allocId) === round) this.rounds.delete(allocId);
    });
    return round;
  }

  private async round(allocId: string): Promise<void> {
    const taken: { stream: Stream; chunk: LogChunk; data: Buffer }[] = [];
    for (const stream of this.streams.values()) {
      if (stream.allocId !== allocId) continue;
      const size = fileSize(stream.path);
      if (size <= stream.shipped) continue;
      const length = stream.inflight > 0 && stream.inflight <= size - stream.shipped ? stream.inflight : Math.min(size - stream.shipped, this.maxChunk);
      const data = readRange(stream.path, stream.shipped, length);
      if (data.length === 0) continue;
      stream.inflight = data.length;
      taken.push({ stream, data, chunk: { Task: stream.task, Type: stream.type, Offset: stream.shipped, Size: data.length } });
    }
    if (taken.length === 0) return;
    this.options.onShipping?.();
    try {
      const { Uploads } = await this.plane.logUploadUrls(allocId, taken.map((entry) => entry.chunk));
      await Promise.all(
        taken.map(async (entry, i) => {
          const response = await fetch(Uploads[i].URL, { method: 'PUT', body: new Uint8Array(entry.data) });
          if (!response.ok) throw new Error(`log chunk upload answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
        }),
      );
      await this.plane.commitLogChunks(allocId, taken.map((entry) => entry.chunk));
      for (const { stream, data } of taken) {
        stream.shipped += data.length;
        stream.inflight = 0;
      }
      this.failures = 0;
      this.options.onShipped?.();
    } catch (error) {
      this.failures++;
      this.retryAt = Date.now() + backoffDelay(this.failures, { baseMs: 1_000, maxMs: 30_000 });
      this.log.warn(`shipping logs of ${allocId}: ${(error as Error).message}`);
    }
  }

  /** Stops tailing the allocation's log files (after a final shipping round). */
  async close(allocId: string): Promise<void> {
    await this.drain(allocId);
    for (const [key, stream] of this.streams) if (stream.allocId === allocId) this.streams.delete(key);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...new Set([...this.streams.values()].map((stream) => stream.allocId))].map((allocId) => this.close(allocId)));
  }
}
