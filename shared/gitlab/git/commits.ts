import type * as git from 'isomorphic-git';
import type { CommitRecord } from '../records';
import { readGitState } from '../store/git-refs';
import { listLegacyBranches } from '../store/legacy-repository';
import { migrateLegacyRepository } from './migrate-legacy';
import { BRANCH_PREFIX, TAG_PREFIX } from './ref-names';
import { openRepository, peelToCommit, readCommitObject, readObject, type ObjectReader, type Repository } from './repository';
import { isCommitId } from '../validations/ref-name';

/**
 * The API's view of the git repository: commits as GitLab presents them, refs resolved as GitLab
 * resolves a `ref` parameter (branch, then tag, then commit id), files read at a commit.
 */
export const openProjectRepository = (projectId: number) => openRepository(projectId, { migrate: migrateLegacyRepository });

/** Git's time (seconds, offset in minutes west of UTC) as GitLab shows it: `2024-05-01T10:00:00.000+02:00`. */
export function gitTimeIso(timestamp: number, timezoneOffset: number): string {
  const east = -timezoneOffset;
  const local = new Date((timestamp + east * 60) * 1000).toISOString().slice(0, -1);
  const sign = east < 0 ? '-' : '+';
  const minutes = Math.abs(east);
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function commitRecordOf(sha: string, commit: git.CommitObject): CommitRecord {
  const message = commit.message;
  return {
    sha,
    parentIds: commit.parent,
    treeId: commit.tree,
    title: message.split('\n')[0],
    message,
    authorName: commit.author.name,
    authorEmail: commit.author.email,
    authoredDate: gitTimeIso(commit.author.timestamp, commit.author.timezoneOffset),
    committerName: commit.committer.name,
    committerEmail: commit.committer.email,
    committedDate: gitTimeIso(commit.committer.timestamp, commit.committer.timezoneOffset),
  };
}

const SHA = /^[0-9a-f]{40}$/;

export async function commitIn(repo: Repository, sha: string): Promise<CommitRecord | undefined> {
  if (!SHA.test(sha)) return undefined;
  const commit = await readCommitObject(repo, sha);
  return commit ? commitRecordOf(sha, commit) : undefined;
}

export async function getCommit(projectId: number, sha: string): Promise<CommitRecord | undefined> {
  if (!SHA.test(sha)) return undefined;
  return commitIn(await openProjectRepository(projectId), sha);
}

/** How commits of several projects are keyed: `<project id>:<sha>`. */
export const commitRef = (projectId: number, sha: string) => `${projectId}:${sha}`;

/** Commits by project and SHA, keyed by `commitRef`; each repository is opened once. */
export async function getCommits(refs: Iterable<{ projectId: number; sha: string }>): Promise<Map<string, CommitRecord>> {
  const byProject = new Map<number, Set<string>>();
  for (const { projectId, sha } of refs) {
    if (!SHA.test(sha)) continue;
    byProject.set(projectId, (byProject.get(projectId) ?? new Set()).add(sha));
  }
  const found = new Map<string, CommitRecord>();
  await Promise.all(
    [...byProject].map(async ([projectId, shas]) => {
      const repo = await openProjectRepository(projectId);
      for (const sha of shas) {
        const commit = await commitIn(repo, sha);
        if (commit) found.set(commitRef(projectId, sha), commit);
      }
    }),
  );
  return found;
}

/** The commit a ref names: a branch, a tag, a full ref name or a commit id. */
export async function resolveIn(repo: Repository, ref: string): Promise<CommitRecord | undefined> {
  for (const name of [`${BRANCH_PREFIX}${ref}`, `${TAG_PREFIX}${ref}`, ref]) {
    const oid = repo.refs.get(name);
    if (oid === undefined) continue;
    const commit = await peelToCommit(repo, oid);
    if (commit) return commitIn(repo, commit);
  }
  return isCommitId(ref) ? commitIn(repo, ref) : undefined;
}

export async function resolveRef(projectId: number, ref: string): Promise<CommitRecord | undefined> {
  return resolveIn(await openProjectRepository(projectId), ref);
}

/** Whether the project has a branch (without reading any pack). */
export async function hasBranches(projectId: number): Promise<boolean> {
  const state = await readGitState(projectId);
  if ([...state.refs.keys()].some((name) => name.startsWith(BRANCH_PREFIX))) return true;
  return state.refs.size === 0 && state.packs.length === 0 && (await listLegacyBranches(projectId)).length > 0;
}

export interface TreeEntryAt {
  oid: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
}

/** The entry at `path` (slash separated) under `tree`. */
export async function entryAt(repo: ObjectReader, tree: string, path: string): Promise<TreeEntryAt | undefined> {
  let current: TreeEntryAt = { oid: tree, mode: '040000', type: 'tree' };
  for (const segment of path.split('/')) {
    if (current.type !== 'tree') return undefined;
    const read = await readObject(repo, current.oid);
    if (read.type !== 'tree') return undefined;
    const entry = read.object.find((candidate) => candidate.path === segment);
    if (!entry) return undefined;
    current = { oid: entry.oid, mode: entry.mode, type: entry.type };
  }
  return current;
}

export async function fileIn(repo: Repository, commit: CommitRecord, path: string): Promise<{ content: Buffer; blobId: string; mode: string } | undefined> {
  const entry = await entryAt(repo, commit.treeId, path);
  if (!entry || entry.type !== 'blob') return undefined;
  const read = await readObject(repo, entry.oid);
  if (read.type !== 'blob') return undefined;
  return { content: Buffer.from(read.object), blobId: entry.oid, mode: entry.mode };
}

/** Every file path of the commit's tree (for `rules:exists`). */
export async function listFilesIn(repo: Repository, tree: string, prefix = ''): Promise<string[]> {
  const read = await readObject(repo, tree);
  if (read.type !== 'tree') return [];
  const files: string[] = [];
  for (const entry of read.object) {
    if (entry.type === 'tree') files.push(...(await listFilesIn(repo, entry.oid, `${prefix}${entry.path}/`)));
    else if (entry.type === 'blob') files.push(`${prefix}${entry.path}`);
  }
  return files;
}
