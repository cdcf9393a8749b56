import * as git from 'isomorphic-git';
import type { ProjectAccess } from '../auth/policy';
import { canPushToBranch, isProtectedBranch } from '../auth/branch-access';
import type { BranchView } from '../entities/branch';
import type { CommitRecord } from '../records';
import { commitIn, resolveIn } from '../git/commits';
import { logCommits } from '../git/history';
import { patchOf, type FilePatch } from '../git/patch';
import { BRANCH_PREFIX, TAG_PREFIX } from '../git/ref-names';
import { peelToCommit, readCommitObject, type Repository } from '../git/repository';
import { diffTrees } from '../git/tree-diff';

/**
 * What the repository read endpoints present, from one open repository: branches with their
 * commit and merge state, a commit's file changes against its first parent (an empty tree for
 * a root commit), as GitLab's commit diff shows them.
 */
export function branchNames(repo: Repository): string[] {
  return [...repo.refs.keys()].filter((name) => name.startsWith(BRANCH_PREFIX)).map((name) => name.slice(BRANCH_PREFIX.length));
}

export function tagNames(repo: Repository): string[] {
  return [...repo.refs.keys()].filter((name) => name.startsWith(TAG_PREFIX)).map((name) => name.slice(TAG_PREFIX.length));
}

/** The commits reachable from the default branch, read once per repository and request. */
const rootHistories = new WeakMap<Repository, Promise<Set<string>>>();

async function reachableFromRoot(repo: Repository, root: string): Promise<Set<string>> {
  let history = rootHistories.get(repo);
  if (!history) {
    history = logCommits(repo, [root]).then((commits) => new Set(commits.map((entry) => entry.sha)));
    rootHistories.set(repo, history);
  }
  return history;
}

/** `merged` is GitLab's `merged_to_root_ref?`: reachable from the default branch without being its head. */
export async function branchView(repo: Repository, access: ProjectAccess, name: string): Promise<BranchView | undefined> {
  const oid = repo.refs.get(`${BRANCH_PREFIX}${name}`);
  const sha = oid && (await peelToCommit(repo, oid));
  const commit = sha ? await commitIn(repo, sha) : undefined;
  if (!commit) return undefined;
  const root = access.project.defaultBranch === null ? undefined : repo.refs.get(`${BRANCH_PREFIX}${access.project.defaultBranch}`);
  const merged = root !== undefined && root !== commit.sha && (await reachableFromRoot(repo, root)).has(commit.sha);
  return { name, commit, merged, protected: isProtectedBranch(access, name), canPush: canPushToBranch(access, name) };
}

export async function commitPatches(repo: Repository, commit: CommitRecord): Promise<FilePatch[]> {
  const parent = commit.parentIds[0] ? await readCommitObject(repo, commit.parentIds[0]) : undefined;
  const changes = await diffTrees(repo, parent?.tree, commit.treeId);
  return Promise.all(changes.map((change) => patchOf(repo, change)));
}

/** What `:sha` names (GitLab's `project.commit`): a ref or a commit id, abbreviated ids included. */
export async function findCommitIn(repo: Repository, ref: string): Promise<CommitRecord | undefined> {
  const found = await resolveIn(repo, ref);
  if (found || !/^[0-9a-f]{4,39}$/.test(ref)) return found;
  try {
    const oid = await git.expandOid({ fs: repo.fs, gitdir: repo.gitdir, oid: ref, cache: repo.cache });
    return await commitIn(repo, oid);
  } catch (error) {
    // Unknown or ambiguous: no such commit.
    if (error instanceof git.Errors.NotFoundError || error instanceof git.Errors.AmbiguousError) return undefined;
    throw error;
  }
}
