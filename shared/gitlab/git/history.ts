import type * as git from 'isomorphic-git';
import { entryAt } from './commits';
import { readCommitObject, type Repository } from './repository';

/**
 * `git log` over the stored objects: commits reachable from the tips, newest committer date
 * first (git's default order; a commit never comes before one that has it as an ancestor when
 * their dates are in order), optionally along first parents only, limited to commits that change
 * a path (git's default history simplification: a commit the same as one of its parents at that
 * path is left out and that parent followed).
 */
export interface LogOptions {
  firstParent?: boolean;
  path?: string;
  /** Committer dates, seconds since the epoch, inclusive. */
  since?: number;
  until?: number;
  offset?: number;
  limit?: number;
}

export interface LoggedCommit {
  sha: string;
  commit: git.CommitObject;
}

async function pathEntry(repo: Repository, tree: string, path: string): Promise<string> {
  const entry = await entryAt(repo, tree, path);
  return entry ? `${entry.mode}:${entry.oid}` : '';
}

export async function logCommits(repo: Repository, tips: string[], options: LogOptions = {}): Promise<LoggedCommit[]> {
  const path = options.path?.replace(/^\/+|\/+$/g, '');
  const queue: LoggedCommit[] = [];
  const seen = new Set<string>();
  const push = async (sha: string) => {
    if (seen.has(sha)) return;
    seen.add(sha);
    const commit = await readCommitObject(repo, sha);
    if (commit) queue.push({ sha, commit });
  };
  for (const tip of tips) await push(tip);
  const out: LoggedCommit[] = [];
  let skip = options.offset ?? 0;
  const limit = options.limit ?? Infinity;
  while (queue.length > 0 && out.length < limit) {
    // The newest pending commit (ties: the one queued first), as git's date-ordered walk.
    let newest = 0;
    for (let i = 1; i < queue.length; i++) if (queue[i].commit.committer.timestamp > queue[newest].commit.committer.timestamp) newest = i;
    const [next] = queue.splice(newest, 1);
    let parents = options.firstParent ? next.commit.parent.slice(0, 1) : next.commit.parent;
    let shown = true;
    if (path) {
      const mine = await pathEntry(repo, next.commit.tree, path);
      const theirs = await Promise.all(parents.map(async (parent) => {
        const commit = await readCommitObject(repo, parent);
        return commit ? pathEntry(repo, commit.tree, path) : '';
      }));
      const same = theirs.findIndex((entry) => entry === mine);
      if (same >= 0) {
        shown = false;
        parents = [parents[same]];
      } else if (parents.length === 0 && mine === '') shown = false;
    }
    for (const parent of parents) await push(parent);
    if (!shown) continue;
    const time = next.commit.committer.timestamp;
    if (options.since !== undefined && time < options.since) continue;
    if (options.until !== undefined && time > options.until) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(next);
  }
  return out;
}

/** Whether `ancestor` is reachable from `descendant` (or is it). */
export async function isAncestor(repo: Repository, ancestor: string, descendant: string): Promise<boolean> {
  const seen = new Set<string>();
  const pending = [descendant];
  while (pending.length > 0) {
    const sha = pending.pop()!;
    if (sha === ancestor) return true;
    if (seen.has(sha)) continue;
    seen.add(sha);
    const commit = await readCommitObject(repo, sha);
    if (commit) pending.push(...commit.parent);
  }
  return false;
}

/** Every commit reachable from `tip`. */
async function ancestors(repo: Repository, tip: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const pending = [tip];
  while (pending.length > 0) {
    const sha = pending.pop()!;
    if (seen.has(sha)) continue;
    seen.add(sha);
    const commit = await readCommitObject(repo, sha);
    if (commit) pending.push(...commit.parent);
  }
  return seen;
}

/** A best common ancestor of two commits (`git merge-base`), the newest by committer date. */
export async function mergeBase(repo: Repository, a: string, b: string): Promise<string | undefined> {
  const fromA = await ancestors(repo, a);
  const common = (await logCommits(repo, [b])).find((entry) => fromA.has(entry.sha));
  return common?.sha;
}

/** Commits reachable from `head` and not from `base`, oldest first (`git log --reverse base..head`). */
export async function commitsBetween(repo: Repository, base: string | undefined, head: string): Promise<LoggedCommit[]> {
  const excluded = base ? await ancestors(repo, base) : new Set<string>();
  return (await logCommits(repo, [head])).filter((entry) => !excluded.has(entry.sha)).reverse();
}
