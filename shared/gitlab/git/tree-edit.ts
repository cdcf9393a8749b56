import * as git from 'isomorphic-git';
import { readObject, type ObjectReader } from './repository';

/**
 * Writing new trees for a changed path: the tree along the path is rewritten bottom-up in a
 * scratch directory (unchanged subtrees are referenced as they are), as `git update-index` and
 * `git write-tree` would do.
 */
export interface Scratch {
  fs: Parameters<typeof git.writeTree>[0]['fs'];
  gitdir: string;
}

export class PathConflict extends Error {}

/** The new root tree with `segments` set to `entry`; every tree written is added to `written`. */
export async function setInTree(
  repo: ObjectReader,
  scratch: Scratch,
  tree: string | undefined,
  segments: string[],
  entry: { oid: string; mode: string },
  written: string[],
): Promise<string> {
  const entries: git.TreeEntry[] = [];
  if (tree) {
    const read = await readObject(repo, tree);
    if (read.type === 'tree') entries.push(...read.object);
  }
  const [name, ...rest] = segments;
  const index = entries.findIndex((candidate) => candidate.path === name);
  const existing = index >= 0 ? entries[index] : undefined;
  let next: git.TreeEntry;
  if (rest.length === 0) {
    if (existing?.type === 'tree') throw new PathConflict(name);
    next = { mode: entry.mode, path: name, oid: entry.oid, type: 'blob' };
  } else {
    if (existing && existing.type !== 'tree') throw new PathConflict(name);
    next = { mode: '040000', path: name, oid: await setInTree(repo, scratch, existing?.oid, rest, entry, written), type: 'tree' };
  }
  if (index >= 0) entries[index] = next;
  else entries.push(next);
  const oid = await git.writeTree({ fs: scratch.fs, gitdir: scratch.gitdir, tree: entries });
  written.push(oid);
  return oid;
}
