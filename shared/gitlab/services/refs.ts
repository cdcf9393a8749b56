import { TransactionConflict } from '../../storage/transact';
import { GitLabError } from '../errors';
import type { ProjectRecord, UserRecord } from '../records';
import * as git from 'isomorphic-git';
import { buildPack, commitPack, stagePack, type Repository, type StagedPack } from '../git/repository';
import { openProjectRepository, resolveIn } from '../git/commits';
import { BRANCH_PREFIX, isValidRefName, TAG_PREFIX, ZERO_OID } from '../git/ref-names';
import { isValidBranchName } from '../validations/ref-name';
import { afterPush } from './push-pipelines';

/**
 * Branches and tags made and removed through the API (`Branches::CreateService`,
 * `Branches::DeleteService`, `Tags::CreateService`, `Tags::DeleteService`): a ref moved by
 * compare-and-set, no new objects. A new branch or tag starts its push pipeline, as the
 * post-receive of GitLab's ref operations does.
 */
const fail = (message: string, status: 400 | 404 | 405 = 400) => new GitLabError(status, { message });

export async function createBranch(project: ProjectRecord, user: UserRecord, branch: string, ref: string): Promise<Repository> {
  if (!isValidBranchName(branch)) throw fail('Branch name is invalid');
  const repo = await openProjectRepository(project.id);
  const name = `${BRANCH_PREFIX}${branch}`;
  if (repo.refs.has(name)) throw fail('Branch already exists');
  const commit = await resolveIn(repo, ref);
  if (!commit) throw fail(`Invalid reference name: ${ref}`);
  try {
    await commitPack(repo, undefined, [{ name, old: undefined, new: commit.sha }]);
  } catch (error) {
    if (error instanceof TransactionConflict) throw fail('Branch already exists');
    throw error;
  }
  await afterPush({ project, user, repo, updates: [{ name, old: ZERO_OID, new: commit.sha }], pushOptions: [] });
  return repo;
}

export async function deleteBranch(project: ProjectRecord, repo: Repository, branch: string): Promise<void> {
  const name = `${BRANCH_PREFIX}${branch}`;
  const oid = repo.refs.get(name);
  if (oid === undefined) throw fail('No such branch', 404);
  // GitLab's pre-receive check, which its delete service passes on as a 400.
  if (branch === project.defaultBranch) throw fail('The default branch of a project cannot be deleted.');
  try {
    await commitPack(repo, undefined, [{ name, old: oid, new: undefined }]);
  } catch (error) {
    if (error instanceof TransactionConflict) throw fail('Failed to remove branch');
    throw error;
  }
}

export interface TagRequest {
  project: ProjectRecord;
  user: UserRecord;
  tagName: string;
  ref: string;
  message?: string;
}

/** A lightweight tag, or an annotated one when there is a message (a tag object by the user). */
export async function createTag(request: TagRequest): Promise<Repository> {
  const { tagName, user } = request;
  const name = `${TAG_PREFIX}${tagName}`;
  if (!isValidRefName(name) || tagName.startsWith('-') || tagName === 'HEAD') throw fail('Tag name invalid');
  const repo = await openProjectRepository(request.project.id);
  if (repo.refs.has(name)) throw fail(`Tag ${tagName} already exists`);
  const commit = await resolveIn(repo, request.ref);
  if (!commit) throw fail(`Target ${request.ref} is invalid`);
  let target = commit.sha;
  let staged: StagedPack | undefined;
  try {
    if (request.message) {
      const pack = await buildPack(async (scratch) => {
        const tagger = { name: user.name, email: user.email, timestamp: Math.floor(Date.now() / 1000), timezoneOffset: 0 };
        const message = request.message!.endsWith('\n') ? request.message! : `${request.message}\n`;
        target = await git.writeTag({ fs: scratch.fs, gitdir: scratch.gitdir, tag: { object: commit.sha, type: 'commit', tag: tagName, tagger, message } });
        return [target];
      });
      staged = await stagePack(repo, pack);
    }
    await commitPack(repo, staged, [{ name, old: undefined, new: target }]);
  } catch (error) {
    if (error instanceof TransactionConflict) throw fail(`Tag ${tagName} already exists`);
    throw error;
  } finally {
    await staged?.dispose();
  }
  await afterPush({ project: request.project, user, repo, updates: [{ name, old: ZERO_OID, new: target }], pushOptions: [] });
  return repo;
}

export async function deleteTag(repo: Repository, tagName: string): Promise<void> {
  const name = `${TAG_PREFIX}${tagName}`;
  const oid = repo.refs.get(name);
  if (oid === undefined) throw fail('No such tag', 404);
  try {
    await commitPack(repo, undefined, [{ name, old: oid, new: undefined }]);
  } catch (error) {
    if (error instanceof TransactionConflict) throw fail('Failed to remove tag');
    throw error;
  }
}
