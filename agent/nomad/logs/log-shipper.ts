import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { backoffDelay } from '../../common/backoff';
import type { Logger } from '../../common/logger';
import type { TaskLogSink } from '../allocrunner/task-runner';
import type { ControlPlane, LogChunk } from '../control-plane';

/**
 * Task output: written to the task's log files in the allocation directory (Nomad's names,
 * `alloc/logs/<task>.stdout.0`) and shipped to S3 in chunks, so the API can serve
 * `/v1/client/fs/logs` without the agent. Each round asks the API for presigned PUT URLs for the
 * allocation's new chunks (one request), uploads them straight to S3, then commits them to the
 * chunk index (one request). A chunk is only committed after its upload succeeded, so the index
 * never points at a missing object; a failed round is retried with backoff from the same offset.
 */
type LogType = 'stdout' | 'stderr';

interface Stream {
  allocId: string;
  task: string;
  type: LogType;
  fd: number;
  buffered: Buffer[];
  bufferedBytes: number;
  /** Offset of the first buffered byte: everything before it is committed. */
  shipped: number;
}

export interface LogShipperOptions {
  flushMs?: number;
  /** Largest chunk shipped in one object. */
  maxChunkBytes?: number;
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
    options: LogShipperOptions = {},
  ) {
    this.maxChunk = options.maxChunkBytes ?? 256 * 1024;
    this.timer = setInterval(() => {
      if (Date.now() < this.retryAt) return;
      for (const allocId of new Set([...this.streams.values()].filter((s) => s.bufferedBytes > 0).map((s) => s.allocId))) void this.ship(allocId);
    }, options.flushMs ?? 1_000);
  }

  sink(allocId: string, logDir: string, task: string): TaskLogSink {
    const open = (type: LogType): Stream => {
      const key = `${allocId}/${task}/${type}`;
      let stream = this.streams.get(key);
      if (!stream) {
        stream = { allocId, task, type, fd: openSync(join(logDir, `${task}.${type}.0`), 'a'), buffered: [], bufferedBytes: 0, shipped: 0 };
        this.streams.set(key, stream);
      }
      return stream;
    };
    const stdout = open('stdout');
    const stderr = open('stderr');
    const write = (stream: Stream, chunk: Buffer) => {
      writeSync(stream.fd, chunk);
      stream.buffered.push(chunk);
      stream.bufferedBytes += chunk.length;
      if (stream.bufferedBytes >= this.maxChunk) void this.ship(allocId);
    };
    return {
      stdout: (chunk) => write(stdout, chunk),
      stderr: (chunk) => write(stderr, chunk),
      flush: () => this.drain(allocId),
    };
  }

  /** Ships everything buffered for the allocation; resolves when it is committed (or given up for now). */
  async drain(allocId: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.ship(allocId);
      const left = [...this.streams.values()].some((stream) => stream.allocId === allocId && stream.bufferedBytes > 0);
      if (!left) return;
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
      if (stream.allocId !== allocId || stream.bufferedBytes === 0) continue;
      const data = Buffer.concat(stream.buffered).subarray(0, this.maxChunk);
      taken.push({ stream, data, chunk: { Task: stream.task, Type: stream.type, Offset: stream.shipped, Size: data.length } });
    }
    if (taken.length === 0) return;
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
        const rest = Buffer.concat(stream.buffered).subarray(data.length);
        stream.buffered = rest.length > 0 ? [rest] : [];
        stream.bufferedBytes = rest.length;
        stream.shipped += data.length;
      }
      this.failures = 0;
    } catch (error) {
      this.failures++;
      this.retryAt = Date.now() + backoffDelay(this.failures, { baseMs: 1_000, maxMs: 30_000 });
      this.log.warn(`shipping logs of ${allocId}: ${(error as Error).message}`);
    }
  }

  /** Closes the allocation's log files (after a final shipping round). */
  async close(allocId: string): Promise<void> {
    await this.drain(allocId);
    for (const [key, stream] of this.streams) {
      if (stream.allocId !== allocId) continue;
      closeSync(stream.fd);
      this.streams.delete(key);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...new Set([...this.streams.values()].map((stream) => stream.allocId))].map((allocId) => this.close(allocId)));
  }
}
