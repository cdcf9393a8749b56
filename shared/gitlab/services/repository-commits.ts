import * as git from 'isomorphic-git';
import { TransactionConflict } from '../../storage/transact';
import { GitLabError } from '../errors';
import type { CommitRecord, ProjectRecord, UserRecord } from '../records';
import { setDefaultBranchIfUnset } from '../store/projects';
import { isValidBranchName } from '../validations/ref-name';
import { isValidRepositoryPath } from '../validations/repository-path';
import { commitIn, openProjectRepository } from '../git/commits';
import { compactWhenFragmented } from '../git/compaction';
import { logCommits } from '../git/history';
import { BRANCH_PREFIX, ZERO_OID } from '../git/ref-names';
import { buildPack, commitPack, peelToCommit, readCommitObject, stagePack } from '../git/repository';
import { PathIsDirectory, PathIsFile, TreeBuilder } from '../git/tree-builder';
import { afterPush } from './push-pipelines';

/**
 * `POST /projects/:id/repository/commits` (GitLab's `Files::MultiService`): several file actions
 * as one commit on a branch, made from the branch itself, from `start_branch` or `start_sha` for
 * a new branch (or, with `force`, over an existing one). The branch moves by compare-and-set, so
 * a concurrent push or commit is never lost; then the commit starts a push pipeline, as GitLab's
 * post-receive does for commits made through the API.
 */
export interface CommitAction {
  action: 'create' | 'update' | 'move' | 'delete' | 'chmod';
  filePath: string;
  previousPath?: string;
  content?: Buffer;
  lastCommitId?: string;
  executeFilemode?: boolean;
}

export interface CommitRequest {
  project: ProjectRecord;
  user: UserRecord;
  branch: string;
  startBranch?: string;
  startSha?: string;
  force: boolean;
  commitMessage: string;
  authorName?: string;
  authorEmail?: string;
  actions: CommitAction[];
}

const fail = (message: string) => new GitLabError(400, { message });
const NOT_ON_BRANCH = 'You can only create or edit files when you are on a branch';

function checkPath(path: string): void {
  if (path === '') throw fail('You must provide a file path');
  if (path.split('/').includes('..')) throw fail('Path cannot include directory traversal');
  if (!isValidRepositoryPath(path)) throw fail(`invalid path: '${path}'`);
}

/** The last commit reachable from `head` that changed `path` (for `last_commit_id`). */
async function lastCommitOf(repo: Awaited<ReturnType<typeof openProjectRepository>>, head: string, path: string): Promise<string | undefined> {
  return (await logCommits(repo, [head], { path, limit: 1 }))[0]?.sha;
}

async function applyActions(tree: TreeBuilder, actions: CommitAction[], blobs: Map<number, string>, changedSince: (path: string, lastCommitId: string) => Promise<boolean>): Promise<void> {
  for (const [index, action] of actions.entries()) {
    checkPath(action.filePath);
    if (action.previousPath !== undefined) checkPath(action.previousPath);
    const existing = await tree.file(action.filePath);
    if (action.lastCommitId && ['update', 'move', 'delete'].includes(action.action)) {
      const path = action.action === 'move' ? action.previousPath! : action.filePath;
      if (await changedSince(path, action.lastCommitId)) throw fail(`The file has changed since you started editing it: ${path}`);
    }
    try {
      switch (action.action) {
        case 'create':
          if (existing) throw fail('A file with this name already exists');
          if (await tree.isDirectory(action.filePath)) throw fail('A directory with this name already exists');
          await tree.set(action.filePath, { oid: blobs.get(index)!, mode: '100644' });
          break;
        case 'update':
          if (!existing) throw fail("A file with this name doesn't exist");
          await tree.set(action.filePath, { oid: blobs.get(index)!, mode: existing.mode });
          break;
        case 'delete':
          if (!existing) throw fail("A file with this name doesn't exist");
          await tree.remove(action.filePath);
          break;
        case 'chmod':
          if (!existing) throw fail("A file with this name doesn't exist");
          await tree.set(action.filePath, { oid: existing.oid, mode: action.executeFilemode ? '100755' : '100644' });
          break;
        case 'move': {
          const source = await tree.file(action.previousPath!);
          if (!source) throw fail("A file with this name doesn't exist");
          if (existing && action.filePath !== action.previousPath) throw fail('A file with this name already exists');
          await tree.remove(action.previousPath!);
          await tree.set(action.filePath, { oid: blobs.get(index) ?? source.oid, mode: source.mode });
          break;
        }
      }
    } catch (error) {
      if (error instanceof PathIsFile) throw fail('A file with this name already exists');
      if (error instanceof PathIsDirectory) throw fail('A directory with this name already exists');
      throw error;
    }
  }
}

export async function createCommit(request: CommitRequest): Promise<CommitRecord> {
  const { project, branch } = request;
  if (!isValidBranchName(branch)) throw fail(`Something went wrong when we tried to create '${branch}' for you: Branch name is invalid`);
  const refName = `${BRANCH_PREFIX}${branch}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const repo = await openProjectRepository(project.id);
    const empty = ![...repo.refs.keys()].some((name) => name.startsWith(BRANCH_PREFIX));
    const current = repo.refs.get(refName);
    const startBranch = request.startSha ? undefined : (request.startBranch ?? branch);
    if (!empty && current !== undefined && (startBranch !== branch || request.startSha) && !request.force) {
      throw fail(`A branch called '${branch}' already exists. Switch to that branch in order to make changes`);
    }
    let parent: string | undefined;
    if (request.startSha) {
      parent = await peelToCommit(repo, request.startSha);
      if (!parent || !(await readCommitObject(repo, parent))) throw fail(`Cannot find start_sha '${request.startSha}'`);
    } else if (!empty) {
      const start = repo.refs.get(`${BRANCH_PREFIX}${startBranch}`);
      if (start === undefined) throw fail(NOT_ON_BRANCH);
      parent = start;
    }
    const parentTree = parent ? (await readCommitObject(repo, parent))?.tree : undefined;
    let commitOid = '';
    const pack = await buildPack(async (scratch) => {
      const blobs = new Map<number, string>();
      for (const [index, action] of request.actions.entries()) {
        if (action.content !== undefined && ['create', 'update', 'move'].includes(action.action)) {
          blobs.set(index, await git.writeBlob({ fs: scratch.fs, gitdir: scratch.gitdir, blob: action.content }));
        } else if (action.action === 'create') blobs.set(index, await git.writeBlob({ fs: scratch.fs, gitdir: scratch.gitdir, blob: new Uint8Array() }));
      }
      const tree = new TreeBuilder(repo, parentTree);
      await applyActions(tree, request.actions, blobs, async (path, lastCommitId) => parent !== undefined && (await lastCommitOf(repo, parent, path)) !== lastCommitId);
      const trees: string[] = [];
      const root = await tree.write(scratch, trees);
      const now = Math.floor(Date.now() / 1000);
      const committer = { name: request.user.name, email: request.user.email, timestamp: now, timezoneOffset: 0 };
      const author = { ...committer, name: request.authorName ?? committer.name, email: request.authorEmail ?? committer.email };
      const message = request.commitMessage.endsWith('\n') ? request.commitMessage : `${request.commitMessage}\n`;
      commitOid = await git.writeCommit({ fs: scratch.fs, gitdir: scratch.gitdir, commit: { message, tree: root, parent: parent ? [parent] : [], author, committer } });
      return [...blobs.values(), ...trees, commitOid];
    });
    const staged = await stagePack(repo, pack);
    try {
      await commitPack(repo, staged, [{ name: refName, old: current, new: commitOid }]);
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    } finally {
      await staged.dispose();
    }
    let target = project;
    if (project.defaultBranch === null) {
      await setDefaultBranchIfUnset(project.id, branch);
      target = { ...project, defaultBranch: branch };
    }
    await afterPush({ project: target, user: request.user, repo, updates: [{ name: refName, old: current ?? ZERO_OID, new: commitOid }], pushOptions: [] });
    await compactWhenFragmented(repo);
    return (await commitIn(repo, commitOid))!;
  }
  throw new GitLabError(409, { message: 'Another commit landed on this branch at the same time; try again' });
}
