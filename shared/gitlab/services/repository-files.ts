import { badRequest, GitLabError } from '../errors';
import type { CommitRecord, ProjectRecord, UserRecord } from '../records';
import { setDefaultBranchIfUnset } from '../store/projects';
import { isValidBranchName } from '../validations/ref-name';
import { commitSha, commitToBranch, getBranchHead, getCommit, hasBranches, putBlob, readBlob } from '../store/repository';

/**
 * GitLab's repository files API without git: each create or update is a new commit on the branch
 * (its own SHA), made with a compare-and-set of the branch head so concurrent writers never lose
 * each other's commits.
 */
export interface FileWrite {
  project: ProjectRecord;
  user: UserRecord;
  branch: string;
  startBranch?: string;
  filePath: string;
  content: Buffer;
  commitMessage: string;
  authorName?: string;
  authorEmail?: string;
  mode: 'create' | 'update';
  lastCommitId?: string;
}

function isoWithOffset(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

export async function writeFile(write: FileWrite): Promise<CommitRecord> {
  const { project } = write;
  // GitLab's `Branches::ValidateNewService` answer, as its commit service words it.
  if (!isValidBranchName(write.branch)) throw new GitLabError(400, { message: `Something went wrong when we tried to create '${write.branch}' for you: Branch name is invalid` });
  for (let attempt = 0; attempt < 5; attempt++) {
    let head = await getBranchHead(project.id, write.branch);
    const branchExists = head !== undefined;
    if (!branchExists) {
      if (write.startBranch) {
        head = await getBranchHead(project.id, write.startBranch);
        if (!head) throw badRequest(`You can only create or edit files when you are on a branch`);
      } else if (await hasBranches(project.id)) {
        throw new GitLabError(400, { message: 'You can only create or edit files when you are on a branch' });
      }
    }
    const parent = head ? await getCommit(project.id, head) : undefined;
    const tree = { ...(parent?.tree ?? {}) };
    // Own keys only: a file may be called `constructor` or `__proto__`.
    const exists = Object.hasOwn(tree, write.filePath);
    if (write.mode === 'create' && exists) throw new GitLabError(400, { message: 'A file with this name already exists' });
    if (write.mode === 'update' && !exists) throw new GitLabError(400, { message: "A file with this name doesn't exist" });
    if (write.mode === 'update' && write.lastCommitId && write.lastCommitId !== head) {
      throw new GitLabError(400, { message: 'You are attempting to update a file that has changed since you started editing it.' });
    }
    Object.defineProperty(tree, write.filePath, { value: await putBlob(project.id, write.content), enumerable: true, writable: true, configurable: true });
    const now = isoWithOffset(new Date());
    const message = write.commitMessage;
    const fields = {
      parentIds: head ? [head] : [],
      title: message.split('\n')[0],
      message,
      authorName: write.authorName ?? write.user.name,
      authorEmail: write.authorEmail ?? write.user.email,
      authoredDate: now,
      committedDate: now,
      tree,
    };
    const commit: CommitRecord = { ...fields, sha: commitSha(fields) };
    if (await commitToBranch(project.id, write.branch, commit, branchExists ? head : undefined)) {
      if (project.defaultBranch === null) await setDefaultBranchIfUnset(project.id, write.branch);
      return commit;
    }
  }
  throw new GitLabError(409, { message: 'Another commit landed on this branch at the same time; try again' });
}

export async function readFileAt(projectId: number, commit: CommitRecord, path: string): Promise<Buffer | undefined> {
  const blob = Object.hasOwn(commit.tree, path) ? commit.tree[path] : undefined;
  return blob ? readBlob(projectId, blob) : undefined;
}
