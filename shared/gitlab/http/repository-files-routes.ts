import { createHash } from 'node:crypto';
import * as z from '../../util/zod';
import { canPushToBranch } from '../auth/branch-access';
import { GitLabError } from '../errors';
import { fileAt, writeFile } from '../services/repository-files';
import { resolveRef } from '../git/commits';
import { INVALID_PATH_MESSAGE, isValidRepositoryPath } from '../validations/repository-path';
import * as grape from './grape';
import { authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/**
 * GitLab's repository files API (`lib/api/files.rb`): write or delete a file on a branch as a new
 * commit (which starts a push pipeline), read it back. `:file_path` is URL-encoded
 * (`dir%2Ffile.yml`). Whether the user may push to the branch is the commit service's check in
 * GitLab, so its refusal is a 400, not the commits API's 403.
 */

/** GitLab's `file_path: true` check, and what a git tree cannot hold (validations/repository-path.ts). */
const filePath = z.string().refine(isValidRepositoryPath, INVALID_PATH_MESSAGE);
/** The raw file's `file_path: { allow_initial_path_separator: true }`. */
const rawFilePath = z.string().refine((path) => isValidRepositoryPath(path.replace(/^\/+/, '')), INVALID_PATH_MESSAGE);

// The bounds are ours: a commit is one stored item (see the README).
const simpleParams = {
  branch: grape.string(),
  commit_message: grape.boundedString(65_536),
  start_branch: grape.string().optional(),
  author_name: grape.boundedString(255).optional(),
  author_email: grape.boundedString(255).optional(),
};
export const writeParams = z.object({
  ...simpleParams,
  content: grape.string(),
  encoding: grape.values(['text', 'base64']).optional(),
  last_commit_id: grape.boundedString(64).optional(),
});
export const deleteParams = z.object({ ...simpleParams, last_commit_id: grape.boundedString(64).optional() });

/** Reading needs `ref`; the raw file defaults to the default branch. */
export const fileQuery = z.object({ ref: grape.string() });
export const rawFileQuery = z.object({ ref: grape.string().optional() });

const NOT_ALLOWED = 'You are not allowed to push into this branch';

function write(mode: 'create' | 'update' | 'delete') {
  const body = mode === 'delete' ? deleteParams : writeParams;
  return handlers(authenticated({ required: true }), pathParams({ file_path: filePath }), params(body), async (c) => {
    const { file_path: path } = c.req.valid('param');
    const { branch, ...fields } = c.var.params as z.infer<typeof deleteParams> & Partial<z.infer<typeof writeParams>>;
    const content = fields.content === undefined ? Buffer.alloc(0) : Buffer.from(fields.content, fields.encoding === 'base64' ? 'base64' : 'utf8');
    const access = await findProject(c, c.var.principal);
    authorize(access, 'push_code');
    if (!canPushToBranch(access, branch)) throw new GitLabError(400, { message: NOT_ALLOWED });
    await writeFile({
      project: access.project,
      user: requireUser(c.var.principal),
      branch,
      startBranch: fields.start_branch,
      filePath: path,
      content,
      commitMessage: fields.commit_message,
      authorName: fields.author_name,
      authorEmail: fields.author_email,
      mode,
      lastCommitId: fields.last_commit_id,
      pushPipeline: true,
    });
    if (mode === 'delete') return c.body(null, 204);
    return c.json({ file_path: path, branch }, mode === 'create' ? 201 : 200);
  });
}

/** The file's metadata and content (`ref` required), or the raw file (`ref` defaults to the default branch). */
function read(raw: boolean) {
  const pathParam = pathParams({ file_path: raw ? rawFilePath : filePath });
  return handlers(authenticated({ required: false }), pathParam, queryParams(raw ? rawFileQuery : fileQuery), async (c) => {
    const { ref } = c.req.valid('query');
    const access = await findProject(c, c.var.principal);
    if (access.level < 10 && access.project.visibility === 'private' && !access.admin) throw new GitLabError(403, { message: '403 Forbidden' });
    const commit = await resolveRef(access.project.id, ref ?? access.project.defaultBranch ?? 'HEAD');
    if (!commit) throw new GitLabError(404, { message: '404 Commit Not Found' });
    const path = c.req.valid('param').file_path.replace(/^\/+/, '');
    const file = await fileAt(access.project.id, commit, path);
    if (!file) throw new GitLabError(404, { message: '404 File Not Found' });
    const { content } = file;
    if (raw) return c.body(new Uint8Array(content), 200, { 'Content-Type': 'text/plain; charset=utf-8' });
    return c.json({
      file_name: path.split('/').pop(),
      file_path: path,
      size: content.length,
      encoding: 'base64',
      content_sha256: createHash('sha256').update(content).digest('hex'),
      ref: ref ?? access.project.defaultBranch,
      blob_id: file.blobId,
      commit_id: commit.sha,
      last_commit_id: commit.sha,
      execute_filemode: file.mode === '100755',
      content: content.toString('base64'),
    });
  });
}

export function mountRepositoryFilesRoutes(api: GitLabApi): void {
  api.post('/projects/:id/repository/files/:file_path', ...write('create'));
  api.put('/projects/:id/repository/files/:file_path', ...write('update'));
  api.delete('/projects/:id/repository/files/:file_path', ...write('delete'));
  api.get('/projects/:id/repository/files/:file_path', ...read(false));
  api.get('/projects/:id/repository/files/:file_path/raw', ...read(true));
}
