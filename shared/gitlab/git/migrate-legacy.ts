import * as git from 'isomorphic-git';
import { TransactionConflict } from '../../storage/transact';
import { getLegacyCommit, listLegacyBranches, readLegacyBlob, type LegacyCommit } from '../store/legacy-repository';
import { BRANCH_PREFIX } from './ref-names';
import { buildPack, commitPack, emptyRepository, stagePack } from './repository';
import { setInTree } from './tree-edit';

/**
 * A repository written by the files API before it spoke git becomes real git history on first
 * use: every old commit is written again as a git commit with the same message, author and dates
 * (its id changes: the old ids were not git's), and each branch points at its rewritten head.
 * Two first uses racing both build the history; the refs' create-only condition lets one win.
 * Returns whether there was anything to migrate.
 */
function gitTime(iso: string): { timestamp: number; timezoneOffset: number } {
  const match = iso.match(/([+-])(\d\d):(\d\d)$/);
  const east = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  return { timestamp: Math.floor(Date.parse(iso) / 1000), timezoneOffset: -east };
}

export async function migrateLegacyRepository(projectId: number): Promise<boolean> {
  const branches = await listLegacyBranches(projectId);
  if (branches.length === 0) return false;
  const commits = new Map<string, LegacyCommit>();
  const pending = branches.map((branch) => branch.sha);
  while (pending.length > 0) {
    const sha = pending.pop()!;
    if (commits.has(sha)) continue;
    const commit = await getLegacyCommit(projectId, sha);
    if (!commit) continue;
    commits.set(sha, commit);
    pending.push(...commit.parentIds);
  }
  const rewritten = new Map<string, string>();
  const pack = await buildPack(async (scratch) => {
    const oids: string[] = [];
    const local = { gitdir: scratch.gitdir, cache: {} };
    const write = async (sha: string): Promise<string | undefined> => {
      if (rewritten.has(sha)) return rewritten.get(sha);
      const commit = commits.get(sha);
      if (!commit) return undefined;
      const parents: string[] = [];
      for (const parent of commit.parentIds) {
        const oid = await write(parent);
        if (oid) parents.push(oid);
      }
      let tree: string | undefined;
      for (const [path, blobId] of Object.entries(commit.tree).sort(([a], [b]) => (a < b ? -1 : 1))) {
        const content = (await readLegacyBlob(projectId, blobId)) ?? Buffer.alloc(0);
        const blob = await git.writeBlob({ fs: scratch.fs, gitdir: scratch.gitdir, blob: content });
        oids.push(blob);
        tree = await setInTree(local, scratch, tree, path.split('/'), { oid: blob, mode: '100644' }, oids);
      }
      tree ??= await git.writeTree({ fs: scratch.fs, gitdir: scratch.gitdir, tree: [] });
      oids.push(tree);
      const message = commit.message.endsWith('\n') ? commit.message : `${commit.message}\n`;
      const person = (iso: string) => ({ name: commit.authorName, email: commit.authorEmail, ...gitTime(iso) });
      const oid = await git.writeCommit({ fs: scratch.fs, gitdir: scratch.gitdir, commit: { message, tree, parent: parents, author: person(commit.authoredDate), committer: person(commit.committedDate) } });
      oids.push(oid);
      rewritten.set(sha, oid);
      return oid;
    };
    for (const branch of branches) await write(branch.sha);
    return oids;
  });
  const repo = emptyRepository(projectId);
  const staged = await stagePack(repo, pack);
  try {
    const updates = branches.filter((branch) => rewritten.has(branch.sha)).map((branch) => ({ name: `${BRANCH_PREFIX}${branch.name}`, old: undefined, new: rewritten.get(branch.sha)! }));
    await commitPack(repo, staged, updates);
  } catch (error) {
    if (!(error instanceof TransactionConflict)) throw error;
  } finally {
    await staged.dispose();
  }
  return true;
}
