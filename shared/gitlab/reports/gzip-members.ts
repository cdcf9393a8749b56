import { inflateRawSync } from 'node:zlib';

/**
 * A runner uploads `artifacts:reports` files as one gzip stream with one member per file
 * (`artifact_format=gzip`); GitLab reads each member as its own document (`GzipStream#each_blob`).
 * Node's gunzip would join them, so the members are walked here: header (RFC 1952), raw deflate
 * data, 8-byte trailer.
 */
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

export class GzipFormatError extends Error {}

function headerLength(data: Buffer, start: number): number {
  if (data.length < start + 10 || data[start] !== 0x1f || data[start + 1] !== 0x8b || data[start + 2] !== 8) throw new GzipFormatError('not in gzip format');
  const flags = data[start + 3];
  let at = start + 10;
  if (flags & FEXTRA) {
    if (data.length < at + 2) throw new GzipFormatError('unexpected end of file');
    at += 2 + data.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const end = data.indexOf(0, at);
    if (end < 0) throw new GzipFormatError('unexpected end of file');
    at = end + 1;
  }
  if (flags & FHCRC) at += 2;
  if (at > data.length) throw new GzipFormatError('unexpected end of file');
  return at - start;
}

/** The decompressed members, in order (at most `maxBytes` decompressed in all). */
export function gzipMembers(data: Buffer, maxBytes: number): Buffer[] {
  const members: Buffer[] = [];
  let at = 0;
  let total = 0;
  while (at < data.length) {
    const body = at + headerLength(data, at);
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = inflateRawSync(data.subarray(body), { info: true, maxOutputLength: Math.max(1, maxBytes - total) }) as unknown as typeof inflated;
    } catch (error) {
      const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      throw new GzipFormatError(tooLarge ? `the report is larger than ${maxBytes} bytes` : (error as Error).message);
    }
    total += inflated.buffer.length;
    members.push(inflated.buffer);
    at = body + inflated.engine.bytesWritten + 8;
  }
  return members;
}
