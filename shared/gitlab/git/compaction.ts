import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TransactionConflict } from '../../storage/transact';
import { forgetRetiredPacks, readGitState, replacePacks } from '../store/git-refs';
import { deletePackFiles, uploadPackFiles } from '../store/pack-files';
import { writePack } from './pack-writer';
import { stagePack, type Repository } from './repository';

/**
 * Repacking: every push or API commit adds a small pack, and a fetch reads every pack's index,
 * so past `MAX_PACKS` packs the repository's packs are rewritten as one (at most
 * `PACKS_PER_COMPACTION` at a time, the most one transaction can retire). The new pack is
 * registered and the old ones retired in one transaction; the old files stay in the bucket for
 * `RETIRED_FILES_KEPT_MS`, for requests that read the list of packs before, and the next
 * compaction of the repository deletes them.
 */
export const MAX_PACKS = 16;
const PACKS_PER_COMPACTION = 48;
const RETIRED_FILES_KEPT_MS = 15 * 60 * 1000;

/** The object ids a version 2 pack index lists (gitformat-pack: magic, version, fan-out, ids). */
export function idxObjectIds(idx: Buffer): string[] {
  if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) throw new Error('not a version 2 pack index');
  const count = idx.readUInt32BE(8 + 255 * 4);
  const start = 8 + 256 * 4;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(idx.toString('hex', start + i * 20, start + (i + 1) * 20));
  return ids;
}

export async function compactWhenFragmented(repo: Repository): Promise<boolean> {
  if (repo.packs.length <= MAX_PACKS) return false;
  const chosen = repo.packs.slice(0, PACKS_PER_COMPACTION);
  const oids = new Set<string>();
  for (const pack of chosen) for (const oid of idxObjectIds(await readFile(join(repo.gitdir, 'objects', 'pack', `${pack.name}.idx`)))) oids.add(oid);
  const staged = await stagePack(repo, await writePack(repo, [...oids]));
  try {
    if (repo.packs.some((pack) => pack.name === staged.entry.name)) return false;
    await uploadPackFiles(repo.projectId, staged.entry.name, staged.pack, staged.idx);
    await replacePacks(repo.projectId, staged.entry, chosen.map((pack) => pack.name));
  } catch (error) {
    // Another compaction retired these packs first.
    if (error instanceof TransactionConflict) return false;
    throw error;
  } finally {
    await staged.dispose();
  }
  await sweepRetiredPacks(repo.projectId);
  return true;
}

/** Deletes the files of packs retired long enough ago. */
export async function sweepRetiredPacks(projectId: number, now = Date.now()): Promise<void> {
  const expired = (await readGitState(projectId)).retired.filter((pack) => pack.retiredAt < now - RETIRED_FILES_KEPT_MS).map((pack) => pack.name);
  if (expired.length === 0) return;
  await deletePackFiles(projectId, expired);
  await forgetRetiredPacks(projectId, expired);
}
