import * as git from 'isomorphic-git';
import { TransactionConflict } from '../../storage/transact';
import { badRequest, GitLabError } from '../errors';
import type { CommitRecord, ProjectRecord, UserRecord } from '../records';
import { setDefaultBranchIfUnset } from '../store/projects';
import { isValidBranchName } from '../validations/ref-name';
import { commitIn, entryAt, fileIn, openProjectRepository } from '../git/commits';
import { compactWhenFragmented } from '../git/compaction';
import { BRANCH_PREFIX, ZERO_OID } from '../git/ref-names';
import { buildPack, commitPack, readCommitObject, stagePack } from '../git/repository';
import { TreeBuilder } from '../git/tree-builder';
import { PathConflict, setInTree } from '../git/tree-edit';
import { afterPush } from './push-pipelines';

/**
 * GitLab's repository files API on the project's git repository: each create, update or delete is
 * a real git commit on the branch, stored as a small pack and published by a compare-and-set of
 * the branch, so concurrent writers (API or `git push`) never lose each other's commits. With
 * `pushPipeline` the commit then starts a push pipeline, as GitLab's post-receive does for
 * commits made through the API (CodeArts' own CI file and a project's README do not).
 */
export interface FileWrite {
  project: ProjectRecord;
  user: UserRecord;
  branch: string;
  startBranch?: string;
  filePath: string;
  /** The new content; unused by `delete`. */
  content: Buffer;
  commitMessage: string;
  authorName?: string;
  authorEmail?: string;
  mode: 'create' | 'update' | 'delete';
  lastCommitId?: string;
  pushPipeline?: boolean;
}

const NOT_ON_BRANCH = 'You can only create or edit files when you are on a branch';

export async function writeFile(write: FileWrite): Promise<CommitRecord> {
  const { project } = write;
  // GitLab's `Branches::ValidateNewService` answer, as its commit service words it.
  if (!isValidBranchName(write.branch)) throw new GitLabError(400, { message: `Something went wrong when we tried to create '${write.branch}' for you: Branch name is invalid` });
  const refName = `${BRANCH_PREFIX}${write.branch}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const repo = await openProjectRepository(project.id);
    let head = repo.refs.get(refName);
    const branchExists = head !== undefined;
    if (!branchExists) {
      if (write.startBranch) {
        head = repo.refs.get(`${BRANCH_PREFIX}${write.startBranch}`);
        if (!head) throw badRequest(NOT_ON_BRANCH);
      } else if ([...repo.refs.keys()].some((name) => name.startsWith(BRANCH_PREFIX))) {
        throw new GitLabError(400, { message: NOT_ON_BRANCH });
      }
    }
    const parentTree = head ? (await readCommitObject(repo, head))?.tree : undefined;
    const existing = parentTree ? await entryAt(repo, parentTree, write.filePath) : undefined;
    const exists = existing?.type === 'blob';
    if (write.mode === 'create' && exists) throw new GitLabError(400, { message: 'A file with this name already exists' });
    if (write.mode !== 'create' && !exists) throw new GitLabError(400, { message: "A file with this name doesn't exist" });
    if (write.mode !== 'create' && write.lastCommitId && write.lastCommitId !== head) {
      throw new GitLabError(400, { message: 'You are attempting to update a file that has changed since you started editing it.' });
    }
    let commitOid = '';
    let pack: Buffer;
    try {
      pack = await buildPack(async (scratch) => {
        const trees: string[] = [];
        let tree: string;
        const written: string[] = [];
        if (write.mode === 'delete') {
          const edit = new TreeBuilder(repo, parentTree);
          await edit.remove(write.filePath);
          tree = await edit.write(scratch, trees);
        } else {
          const blob = await git.writeBlob({ fs: scratch.fs, gitdir: scratch.gitdir, blob: write.content });
          written.push(blob);
          tree = await setInTree(repo, scratch, parentTree, write.filePath.split('/'), { oid: blob, mode: existing?.mode ?? '100644' }, trees);
        }
        const now = Math.floor(Date.now() / 1000);
        const author = { name: write.authorName ?? write.user.name, email: write.authorEmail ?? write.user.email, timestamp: now, timezoneOffset: 0 };
        const message = write.commitMessage.endsWith('\n') ? write.commitMessage : `${write.commitMessage}\n`;
        commitOid = await git.writeCommit({
          fs: scratch.fs,
          gitdir: scratch.gitdir,
          commit: { message, tree, parent: head ? [head] : [], author, committer: { ...author, name: write.user.name, email: write.user.email } },
        });
        return [...written, ...trees, commitOid];
      });
    } catch (error) {
      if (error instanceof PathConflict) throw new GitLabError(400, { message: 'A file with this name already exists' });
      throw error;
    }
    const staged = await stagePack(repo, pack);
    try {
      await commitPack(repo, staged, [{ name: refName, old: branchExists ? head : undefined, new: commitOid }]);
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    } finally {
      await staged.dispose();
    }
    let target = project;
    if (project.defaultBranch === null) {
      await setDefaultBranchIfUnset(project.id, write.branch);
      target = { ...project, defaultBranch: write.branch };
    }
    if (write.pushPipeline) await afterPush({ project: target, user: write.user, repo, updates: [{ name: refName, old: branchExists ? head! : ZERO_OID, new: commitOid }], pushOptions: [] });
    await compactWhenFragmented(repo);
    return (await commitIn(repo, commitOid))!;
  }
  throw new GitLabError(409, { message: 'Another commit landed on this branch at the same time; try again' });
}

export async function readFileAt(projectId: number, commit: CommitRecord, path: string): Promise<Buffer | undefined> {
  return (await fileIn(await openProjectRepository(projectId), commit, path))?.content;
}

export async function fileAt(projectId: number, commit: CommitRecord, path: string) {
  return fileIn(await openProjectRepository(projectId), commit, path);
}

