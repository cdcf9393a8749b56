import { createHash } from 'node:crypto';

/**
 * What can be checked of a received packfile before any object is read: the `PACK` signature,
 * version 2 or 3, and the SHA-1 trailer over everything before it (a truncated or altered pack
 * fails here). Returns the object count the header announces and the pack's name.
 */
export function checkPackEnvelope(pack: Buffer): { objects: number; name: string } | { error: string } {
  if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK') return { error: 'bad pack header' };
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) return { error: `unknown pack version ${version}` };
  const trailer = pack.subarray(pack.length - 20);
  const digest = createHash('sha1').update(pack.subarray(0, pack.length - 20)).digest();
  if (!digest.equals(trailer)) return { error: 'pack checksum mismatch (truncated or corrupt pack)' };
  return { objects: pack.readUInt32BE(8), name: `pack-${trailer.toString('hex')}` };
}
