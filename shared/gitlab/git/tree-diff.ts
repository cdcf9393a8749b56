import { readObject, type ObjectReader } from './repository';

/**
 * What changed between two trees, as `git diff-tree -r` lists it: one entry per file (subtrees
 * with the same id are skipped unread). Renames are found only when a deleted and an added file
 * hold the same blob (git's exact-rename pass); GitLab's similarity renames are not attempted.
 */
export interface TreeChange {
  oldPath: string;
  newPath: string;
  /** Git's octal modes; `0` for the side where the file does not exist. */
  oldMode: string;
  newMode: string;
  oldOid: string | undefined;
  newOid: string | undefined;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
}

interface Entry {
  mode: string;
  oid: string;
  type: string;
}

const isTree = (entry: Entry | undefined) => entry?.type === 'tree';

async function entriesOf(repo: ObjectReader, tree: string | undefined): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  if (!tree) return entries;
  const read = await readObject(repo, tree);
  if (read.type !== 'tree') return entries;
  for (const entry of read.object) entries.set(entry.path, { mode: entry.mode, oid: entry.oid, type: entry.type });
  return entries;
}

async function walk(repo: ObjectReader, oldTree: string | undefined, newTree: string | undefined, prefix: string, into: TreeChange[]): Promise<void> {
  if (oldTree === newTree) return;
  const [before, after] = await Promise.all([entriesOf(repo, oldTree), entriesOf(repo, newTree)]);
  const names = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const old = before.get(name);
    const next = after.get(name);
    if (old && next && old.oid === next.oid && old.mode === next.mode) continue;
    const path = `${prefix}${name}`;
    // A tree on either side is walked; a file on the other side is then a separate add or delete.
    if (isTree(old) || isTree(next)) {
      await walk(repo, isTree(old) ? old!.oid : undefined, isTree(next) ? next!.oid : undefined, `${path}/`, into);
      if (old && !isTree(old)) into.push({ oldPath: path, newPath: path, oldMode: old.mode, newMode: '0', oldOid: old.oid, newOid: undefined, status: 'deleted' });
      if (next && !isTree(next)) into.push({ oldPath: path, newPath: path, oldMode: '0', newMode: next.mode, oldOid: undefined, newOid: next.oid, status: 'added' });
      continue;
    }
    into.push({
      oldPath: path,
      newPath: path,
      oldMode: old?.mode ?? '0',
      newMode: next?.mode ?? '0',
      oldOid: old?.oid,
      newOid: next?.oid,
      status: !old ? 'added' : !next ? 'deleted' : 'modified',
    });
  }
}

/** Changes from `oldTree` to `newTree` (either may be absent: an empty tree), in path order. */
export async function diffTrees(repo: ObjectReader, oldTree: string | undefined, newTree: string | undefined, options: { renames?: boolean } = {}): Promise<TreeChange[]> {
  const changes: TreeChange[] = [];
  await walk(repo, oldTree, newTree, '', changes);
  changes.sort((a, b) => (a.newPath < b.newPath ? -1 : a.newPath > b.newPath ? 1 : 0));
  if (options.renames === false) return changes;
  const deleted = new Map<string, TreeChange>();
  for (const change of changes) if (change.status === 'deleted' && !deleted.has(change.oldOid!)) deleted.set(change.oldOid!, change);
  const paired = new Set<TreeChange>();
  for (const change of changes) {
    if (change.status !== 'added') continue;
    const source = deleted.get(change.newOid!);
    if (!source || paired.has(source)) continue;
    paired.add(source);
    Object.assign(change, { oldPath: source.oldPath, oldMode: source.oldMode, oldOid: source.oldOid, status: 'renamed' });
  }
  return changes.filter((change) => !paired.has(change));
}

/** Every path a change touches (both sides of a rename), as GitLab's `modified_paths`. */
export function changedPaths(changes: TreeChange[]): string[] {
  return [...new Set(changes.flatMap((change) => (change.oldPath === change.newPath ? [change.newPath] : [change.newPath, change.oldPath])))];
}
