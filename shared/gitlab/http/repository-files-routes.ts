import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { GitLabError } from '../errors';
import { readFileAt, writeFile } from '../services/repository-files';
import { resolveRef } from '../store/repository';
import { allParams, GrapeParams, queryParams } from './params';
import { authenticate, authorize, findProject, requireUser } from './request';
import { route } from './routing';

/**
 * GitLab's repository files API (`lib/api/files.rb`): write a file on a branch as a new commit,
 * read it back. `:file_path` is URL-encoded (`dir%2Ffile.yml`).
 */
async function write(c: Context, mode: 'create' | 'update') {
  const principal = await authenticate(c, { required: true });
  const params = new GrapeParams(await allParams(c));
  const branch = params.string('branch', { required: true });
  const commitMessage = params.string('commit_message', { required: true });
  const content = params.string('content', { required: true });
  const encoding = params.oneOf('encoding', ['text', 'base64'] as const);
  const startBranch = params.string('start_branch');
  const authorName = params.string('author_name');
  const authorEmail = params.string('author_email');
  const lastCommitId = params.string('last_commit_id');
  params.check();
  const access = await findProject(c, principal);
  authorize(access, 'push_code');
  const filePath = c.req.param('file_path')!;
  if (filePath.split('/').some((segment) => segment === '..' || segment === '') || filePath.includes('\0')) {
    throw new GitLabError(400, { error: 'file_path should be a valid file path' });
  }
  await writeFile({
    project: access.project,
    user: requireUser(principal),
    branch,
    startBranch,
    filePath,
    content: encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8'),
    commitMessage,
    authorName,
    authorEmail,
    mode,
    lastCommitId,
  });
  return c.json({ file_path: filePath, branch }, mode === 'create' ? 201 : 200);
}

async function read(c: Context, raw: boolean) {
  const principal = await authenticate(c, { required: false });
  const params = new GrapeParams(queryParams(c));
  const ref = params.string('ref', { required: !raw }) ?? undefined;
  params.check();
  const access = await findProject(c, principal);
  if (access.level < 10 && access.project.visibility === 'private' && !access.admin) throw new GitLabError(403, { message: '403 Forbidden' });
  const commit = await resolveRef(access.project.id, ref ?? access.project.defaultBranch ?? 'HEAD');
  if (!commit) throw new GitLabError(404, { message: '404 Commit Not Found' });
  const filePath = c.req.param('file_path')!;
  const content = await readFileAt(access.project.id, commit, filePath);
  if (!content) throw new GitLabError(404, { message: '404 File Not Found' });
  if (raw) return c.body(new Uint8Array(content), 200, { 'Content-Type': 'text/plain; charset=utf-8' });
  return c.json({
    file_name: filePath.split('/').pop(),
    file_path: filePath,
    size: content.length,
    encoding: 'base64',
    content_sha256: createHash('sha256').update(content).digest('hex'),
    ref: ref ?? access.project.defaultBranch,
    blob_id: commit.tree[filePath],
    commit_id: commit.sha,
    last_commit_id: commit.sha,
    execute_filemode: false,
    content: content.toString('base64'),
  });
}

route('POST', '/projects/:id/repository/files/:file_path', (c) => write(c, 'create'));
route('PUT', '/projects/:id/repository/files/:file_path', (c) => write(c, 'update'));
route('GET', '/projects/:id/repository/files/:file_path', (c) => read(c, false));
route('GET', '/projects/:id/repository/files/:file_path/raw', (c) => read(c, true));
