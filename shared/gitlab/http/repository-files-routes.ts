import { createHash } from 'node:crypto';
import * as z from '../../util/zod';
import { GitLabError } from '../errors';
import { fileAt, writeFile } from '../services/repository-files';
import { resolveRef } from '../git/commits';
import { INVALID_PATH_MESSAGE, isValidRepositoryPath } from '../validations/repository-path';
import * as grape from './grape';
import { authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/**
 * GitLab's repository files API (`lib/api/files.rb`): write a file on a branch as a new commit,
 * read it back. `:file_path` is URL-encoded (`dir%2Ffile.yml`).
 */

/** GitLab's `file_path: true` check, and what a git tree cannot hold (validations/repository-path.ts). */
const filePath = z.string().refine(isValidRepositoryPath, INVALID_PATH_MESSAGE);
/** The raw file's `file_path: { allow_initial_path_separator: true }`. */
const rawFilePath = z.string().refine((path) => isValidRepositoryPath(path.replace(/^\/+/, '')), INVALID_PATH_MESSAGE);

// The bounds are ours: a commit is one stored item (see the README).
const writeParams = z.object({
  branch: grape.string(),
  commit_message: grape.boundedString(65_536),
  content: grape.string(),
  encoding: grape.values(['text', 'base64']).optional(),
  start_branch: grape.string().optional(),
  author_name: grape.boundedString(255).optional(),
  author_email: grape.boundedString(255).optional(),
  last_commit_id: grape.boundedString(64).optional(),
});

function write(mode: 'create' | 'update') {
  return handlers(authenticated({ required: true }), pathParams({ file_path: filePath }), params(writeParams), async (c) => {
    const { file_path: path } = c.req.valid('param');
    const { branch, content, encoding, ...fields } = c.var.params;
    const access = await findProject(c, c.var.principal);
    authorize(access, 'push_code');
    await writeFile({
      project: access.project,
      user: requireUser(c.var.principal),
      branch,
      startBranch: fields.start_branch,
      filePath: path,
      content: Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'),
      commitMessage: fields.commit_message,
      authorName: fields.author_name,
      authorEmail: fields.author_email,
      mode,
      lastCommitId: fields.last_commit_id,
    });
    return c.json({ file_path: path, branch }, mode === 'create' ? 201 : 200);
  });
}

/** The file's metadata and content (`ref` required), or the raw file (`ref` defaults to the default branch). */
function read(raw: boolean) {
  const pathParam = pathParams({ file_path: raw ? rawFilePath : filePath });
  return handlers(authenticated({ required: false }), pathParam, queryParams(z.object({ ref: raw ? grape.string().optional() : grape.string() })), async (c) => {
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
  api.get('/projects/:id/repository/files/:file_path', ...read(false));
  api.get('/projects/:id/repository/files/:file_path/raw', ...read(true));
}
