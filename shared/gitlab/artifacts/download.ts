import { Readable } from 'node:stream';
import type { FileEntry } from '@zip.js/zip.js';
import { getMimeType } from 'hono/utils/mime';
import { config } from '../../config';
import { GitLabError } from '../errors';
import type { ArtifactRecord } from '../records';
import { extractedEntryKey } from './object-keys';
import { objectSize, presignedDownload, putObject } from '../store/bucket-objects';
import { findEntry, openArchive } from '../store/s3-range-reader';

/**
 * What a download answers. Archives are never streamed through the API (a Lambda answer is capped
 * at 6 MB): they are a 302 to a short-lived presigned GET that carries GitLab's
 * `Content-Disposition`. A single file is read out of the archive with ranged GETs (the archive's
 * tail and central directory, then that one entry) and streamed back with GitLab's headers; one
 * too large to stream is extracted once to the bucket beside the archive and redirected to.
 */
const REDIRECT_TTL_SECONDS = 5 * 60;

export const NOT_FOUND = () => new GitLabError(404, { message: '404 Not Found' });

/** `attachment; filename="…"` as GitLab writes it, plus RFC 5987's `filename*` for non-ASCII names. */
export function attachment(filename: string): string {
  const quoted = filename.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '_');
  return `attachment; filename="${quoted}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function contentTypeOf(path: string): string {
  return getMimeType(path) ?? 'application/octet-stream';
}

/** A presigned URL for `method` (a HEAD request is redirected to a URL signed for HEAD, as GitLab does). */
function presigned(key: string, filename: string, contentType: string, method = 'GET'): Promise<string> {
  return presignedDownload(key, attachment(filename), contentType, method, REDIRECT_TTL_SECONDS);
}

export function archiveUrl(archive: ArtifactRecord, method: string): Promise<string> {
  return presigned(archive.objectKey!, archive.filename, 'application/zip', method);
}

export type SingleFile =
  | { kind: 'stream'; body: ReadableStream<Uint8Array>; headers: Record<string, string> }
  | { kind: 'redirect'; url: string };

function entryData(entry: FileEntry): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  // An error (a bad CRC, S3 failing midway) aborts the writable side, which errors the readable one.
  entry.getData(writable).catch(() => undefined);
  return readable;
}

export async function singleFile(archive: ArtifactRecord, path: string, method: string): Promise<SingleFile> {
  const { zip } = openArchive(archive.objectKey!, archive.size);
  let entry;
  try {
    entry = await findEntry(zip, path);
  } catch {
    throw NOT_FOUND();
  }
  if (!entry || entry.directory) throw NOT_FOUND();
  const basename = path.split('/').pop()!;
  const contentType = contentTypeOf(basename);
  if (entry.uncompressedSize <= config().gitlabArtifacts.inlineFileLimitBytes) {
    return {
      kind: 'stream',
      body: entryData(entry),
      headers: { 'Content-Type': contentType, 'Content-Disposition': attachment(basename), 'Content-Length': String(entry.uncompressedSize) },
    };
  }
  const key = extractedEntryKey(archive.objectKey!, path);
  if ((await objectSize(key)) === undefined) {
    await putObject(key, Readable.fromWeb(entryData(entry) as import('node:stream/web').ReadableStream<Uint8Array>), {
      contentLength: entry.uncompressedSize,
      contentType,
    });
  }
  return { kind: 'redirect', url: await presigned(key, basename, contentType, method) };
}
