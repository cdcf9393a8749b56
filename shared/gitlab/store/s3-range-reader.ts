import { GetObjectCommand } from '@aws-sdk/client-s3';
import { configure, Reader, ZipReader, type Entry } from '@zip.js/zip.js';
import { s3 } from '../../aws/clients';
import { config } from '../../config';

/**
 * Random access to an object in the bucket for zip.js: every read is a ranged GET, so opening an
 * archive costs its tail and its central directory, and one entry costs that entry, never the
 * whole archive. Small reads (zip.js reads headers a few bytes at a time) fetch a window around
 * them that later reads are served from: the archive's tail in one request, a local header
 * together with the start of its data in another.
 */
configure({ useWebWorkers: false });

const TAIL_WINDOW = 64 * 1024;
const MIN_FETCH = 16 * 1024;

export class S3RangeReader extends Reader<string> {
  /** Bytes fetched from S3 and requests made, for the benchmark and the logs. */
  bytesFetched = 0;
  requests = 0;
  private window: { start: number; data: Uint8Array } | undefined;

  constructor(
    private readonly key: string,
    size: number,
  ) {
    super(key);
    // The size comes from the artifact's record: no HEAD request needed.
    this.size = size;
  }

  override async readUint8Array(index: number, length: number): Promise<Uint8Array> {
    const end = Math.min(index + length, this.size);
    const cached = this.window;
    if (cached && index >= cached.start && end <= cached.start + cached.data.length) {
      return cached.data.subarray(index - cached.start, end - cached.start);
    }
    let start = index;
    let stop = Math.min(this.size, Math.max(end, index + MIN_FETCH));
    if (index >= this.size - TAIL_WINDOW) {
      start = Math.max(0, this.size - TAIL_WINDOW);
      stop = this.size;
    }
    const data = await this.fetch(start, stop);
    if (stop - start > length) this.window = { start, data };
    return data.subarray(index - start, end - start);
  }

  /** An entry's data as one streamed GET (or from the window when it was fetched with its header). */
  override createReadable(options: { offset?: number; size?: number } = {}): ReadableStream<Uint8Array> {
    const offset = options.offset ?? 0;
    const stop = Math.min(this.size, offset + (options.size ?? this.size - offset));
    const cached = this.window;
    if (cached && offset >= cached.start && stop <= cached.start + cached.data.length) {
      const data = cached.data.slice(offset - cached.start, stop - cached.start);
      return new ReadableStream({ start: (controller) => (controller.enqueue(data), controller.close()) });
    }
    let body: ReadableStreamDefaultReader<Uint8Array> | undefined;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (!body) {
          this.requests++;
          const result = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: this.key, Range: `bytes=${offset}-${stop - 1}` }));
          body = result.Body!.transformToWebStream().getReader();
        }
        const { done, value } = await body.read();
        if (done) return controller.close();
        this.bytesFetched += value.length;
        controller.enqueue(value);
      },
      cancel: (reason) => body?.cancel(reason),
    });
  }

  private async fetch(start: number, stop: number): Promise<Uint8Array> {
    this.requests++;
    const result = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: this.key, Range: `bytes=${start}-${stop - 1}` }));
    const data = await result.Body!.transformToByteArray();
    this.bytesFetched += data.length;
    return data;
  }
}

/** An archive in the bucket opened for reading (`size` is the object's size in bytes). */
export function openArchive(key: string, size: number): { reader: S3RangeReader; zip: ZipReader<string> } {
  const reader = new S3RangeReader(key, size);
  return { reader, zip: new ZipReader(reader) };
}

/** The archive's entry at `path` (a file, not a directory), if there is one. */
export async function findEntry(zip: ZipReader<string>, path: string): Promise<Entry | undefined> {
  for await (const entry of zip.getEntriesGenerator()) {
    if (entry.filename === path && !entry.directory) return entry;
  }
  return undefined;
}
