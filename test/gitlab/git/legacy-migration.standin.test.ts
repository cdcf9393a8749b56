import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { http, startGitLab, type GitLabServer } from '../../support/gitlab';
import { cleanup, gitOk, remoteUrl, scratchDir } from '../../support/git-cli';

/**
 * A project whose files were written before the repository spoke git (branch → commit items with
 * whole file trees, blob items) becomes git history on first use: every commit, message, author
 * and date, every file, every branch.
 */
let server: GitLabServer;
let projectId: number;

const blobId = (content: string) => createHash('sha1').update(`blob ${Buffer.byteLength(content)}\0${content}`).digest('hex');

async function put(item: Record<string, unknown>) {
  await dynamo().send(new PutCommand({ TableName: config().tableName, Item: item }));
}

async function legacyCommit(sha: string, parentIds: string[], message: string, date: string, tree: Record<string, string>) {
  const commit = { sha, parentIds, title: message, message, authorName: 'Old Timer', authorEmail: 'old@example.com', authoredDate: date, committedDate: date, tree };
  await put({ PK: `GLPROJECT#${projectId}`, SK: `COMMIT#${sha}`, commit: JSON.stringify(commit) });
}

beforeAll(async () => {
  server = await startGitLab();
  projectId = (await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'old' } })).body.id;
  const files = { 'README.md': '# old\n', 'ci/.gitlab-ci.yml': 'job:\n  script: [echo]\n', 'README2.md': 'second\n' };
  for (const content of Object.values(files)) await put({ PK: `GLPROJECT#${projectId}`, SK: `BLOB#${blobId(content)}`, size: content.length, content: Buffer.from(content) });
  const first = 'a'.repeat(40);
  const second = 'b'.repeat(40);
  const side = 'c'.repeat(40);
  await legacyCommit(first, [], 'first', '2024-03-01T10:00:00.000+02:00', { 'README.md': blobId(files['README.md']) });
  await legacyCommit(second, [first], 'second', '2024-03-02T10:00:00.000+00:00', { 'README.md': blobId(files['README.md']), 'ci/.gitlab-ci.yml': blobId(files['ci/.gitlab-ci.yml']) });
  await legacyCommit(side, [first], 'side', '2024-03-03T10:00:00.000+00:00', { 'README.md': blobId(files['README.md']), 'README2.md': blobId(files['README2.md']) });
  await put({ PK: `GLPROJECT#${projectId}`, SK: 'BRANCH#main', sha: second });
  await put({ PK: `GLPROJECT#${projectId}`, SK: 'BRANCH#side', sha: side });
});

afterAll(async () => {
  await server?.stop();
  await cleanup();
});

describe('the file-API history', () => {
  it('is served to git as real commits on every branch', async () => {
    const dir = await scratchDir();
    await gitOk(dir, ['clone', '-q', '--no-checkout', remoteUrl(server.url, 'root/old', 'oauth2', server.root), 'old']);
    const repo = join(dir, 'old');
    expect(await gitOk(repo, ['log', '--format=%s|%an <%ae>|%aI', 'origin/main'])).toBe('second|Old Timer <old@example.com>|2024-03-02T10:00:00+00:00\nfirst|Old Timer <old@example.com>|2024-03-01T10:00:00+02:00\n');
    expect(await gitOk(repo, ['log', '--format=%s', 'origin/side'])).toBe('side\nfirst\n');
    expect(await gitOk(repo, ['show', 'origin/main:ci/.gitlab-ci.yml'])).toBe('job:\n  script: [echo]\n');
    expect(await gitOk(repo, ['show', 'origin/side:README2.md'])).toBe('second\n');
    expect((await gitOk(repo, ['merge-base', 'origin/main', 'origin/side'])).trim()).toBe((await gitOk(repo, ['rev-parse', 'origin/main~1'])).trim());
    await gitOk(repo, ['fsck', '--strict']);
  });

  it('keeps working through the files API afterwards', async () => {
    const raw = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/files/README.md/raw?ref=side`, { token: server.root });
    expect(raw.text).toBe('# old\n');
    const write = await http(server, 'PUT', `/api/v4/projects/${projectId}/repository/files/README.md`, { token: server.root, json: { branch: 'main', content: 'new\n', commit_message: 'third' } });
    expect(write.status).toBe(200);
    const dir = await scratchDir();
    await gitOk(dir, ['clone', '-q', remoteUrl(server.url, 'root/old', 'oauth2', server.root), 'again']);
    expect(await gitOk(join(dir, 'again'), ['log', '--format=%s'])).toBe('third\nsecond\nfirst\n');
  });
});
