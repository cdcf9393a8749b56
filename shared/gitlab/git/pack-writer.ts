import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import * as git from 'isomorphic-git';

/**
 * A packfile of whole objects (gitprotocol-pack: `PACK`, version 2, the count, each object's type
 * and size header and its zlib stream, the SHA-1 trailer), objects read with isomorphic-git.
 * isomorphic-git's own `packObjects` writes the same bytes but deflates each object through a
 * web CompressionStream, which in Node costs ~1.5 ms an object (measured: 6.3 s against 0.6 s
 * with zlib for 4,000 small objects), the bulk of a clone's time; so the writing is done here.
 */
const TYPE_CODES = { commit: 1, tree: 2, blob: 3, tag: 4 } as const;

function objectHeader(type: keyof typeof TYPE_CODES, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (TYPE_CODES[type] << 4) | (size & 0x0f);
  size >>>= 4;
  while (size > 0) {
    bytes.push(byte | 0x80);
    byte = size & 0x7f;
    size >>>= 7;
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

export async function writePack(reader: { gitdir: string; cache: object; fs: Parameters<typeof git.readObject>[0]['fs'] }, oids: string[]): Promise<Buffer> {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(oids.length, 8);
  const parts: Buffer[] = [header];
  for (const oid of oids) {
    const { type, object } = await git.readObject({ fs: reader.fs, gitdir: reader.gitdir, oid, cache: reader.cache, format: 'content' });
    const content = object as Uint8Array;
    parts.push(objectHeader(type as keyof typeof TYPE_CODES, content.length), deflateSync(content));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}
