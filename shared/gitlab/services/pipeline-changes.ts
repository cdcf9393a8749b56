import { CompareToNeeded, type ChangesContext } from '../ci-config/changes';
import type { CommitRecord } from '../records';
import { resolveIn } from '../git/commits';
import { mergeBase } from '../git/history';
import { ZERO_OID } from '../git/ref-names';
import { readCommitObject, type Repository } from '../git/repository';
import { changedPaths, diffTrees } from '../git/tree-diff';
import { findCommitIn } from './repository-reads';

/**
 * The changed paths `rules:changes` sees (GitLab's `Ci::Pipeline#modified_paths`): for a push
 * that moved an existing branch, the diff from the old tip to the new one; for anything else
 * (a new branch, a tag, an API, schedule or trigger pipeline) none, so every clause holds.
 * `compare_to` refs are looked up as the configuration asks for them.
 */
export async function pushChanges(repo: Repository, commit: CommitRecord, beforeSha: string | undefined, tag: boolean): Promise<ChangesContext> {
  let paths: string[] | null = null;
  if (!tag && beforeSha && beforeSha !== ZERO_OID) {
    const before = await readCommitObject(repo, beforeSha);
    if (before) paths = changedPaths(await diffTrees(repo, before.tree, commit.treeId));
  }
  return { paths, since: new Map() };
}

/** `modified_paths_since`: the diff from the merge base of `ref` and the commit; null when `ref` names no commit. */
async function pathsSince(repo: Repository, commit: CommitRecord, ref: string): Promise<string[] | null> {
  const other = await findCommitIn(repo, ref);
  if (!other) return null;
  const base = await mergeBase(repo, other.sha, commit.sha);
  const baseTree = base ? (await resolveIn(repo, base))?.treeId : undefined;
  return changedPaths(await diffTrees(repo, baseTree, commit.treeId));
}

/** Runs `evaluate` until every `compare_to` it meets has been looked up (each ref once). */
export async function withCompareTo<T>(repo: Repository, commit: CommitRecord, changes: ChangesContext, evaluate: () => T): Promise<T> {
  for (;;) {
    try {
      return evaluate();
    } catch (error) {
      if (!(error instanceof CompareToNeeded) || changes.since.has(error.ref)) throw error;
      changes.since.set(error.ref, await pathsSince(repo, commit, error.ref));
    }
  }
}
