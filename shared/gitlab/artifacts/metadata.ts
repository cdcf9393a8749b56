import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * GitLab's `metadata.gz` for an archive (what Workhorse writes beside each uploaded zip): a gzip
 * stream of length-prefixed strings (big-endian uint32 length, then the bytes): the version line,
 * an errors object, then for every entry its path and a JSON line with its attributes.
 */
const METADATA_VERSION = 'GitLab Build Artifacts Metadata 0.0.2\n';

export interface ArchiveEntry {
  path: string;
  /** Unix seconds. */
  modified: number;
  /** Permission bits in octal, as GitLab writes them (`644`). */
  mode: string;
  crc: number;
  size: number;
  zipped: number;
  comment: string;
}

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

export function buildMetadata(entries: ArchiveEntry[]): Buffer {
  const parts = [lengthPrefixed(METADATA_VERSION), lengthPrefixed('{}')];
  for (const entry of entries) {
    const attributes: Record<string, unknown> = { modified: entry.modified, mode: entry.mode, crc: entry.crc, size: entry.size, zipped: entry.zipped };
    if (entry.comment) attributes.comment = entry.comment;
    parts.push(lengthPrefixed(entry.path), lengthPrefixed(`${JSON.stringify(attributes)}\n`));
  }
  return gzipSync(Buffer.concat(parts));
}

/** The entries of a `metadata.gz` (path, mode and size are what a listing needs). */
export function readMetadata(gzipped: Uint8Array): Pick<ArchiveEntry, 'path' | 'mode' | 'size'>[] {
  const bytes = gunzipSync(gzipped);
  const strings: string[] = [];
  for (let at = 0; at + 4 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    strings.push(bytes.subarray(at + 4, at + 4 + length).toString('utf8'));
    at += 4 + length;
  }
  if (strings[0] !== METADATA_VERSION) throw new Error('not a GitLab artifacts metadata file');
  const entries: Pick<ArchiveEntry, 'path' | 'mode' | 'size'>[] = [];
  for (let index = 2; index + 1 < strings.length; index += 2) {
    const attributes = JSON.parse(strings[index + 1]) as { mode?: string; size?: number };
    entries.push({ path: strings[index], mode: attributes.mode ?? '', size: attributes.size ?? 0 });
  }
  return entries;
}
