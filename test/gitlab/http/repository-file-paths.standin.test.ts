import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startGitLab, type GitLabServer } from '../../support/gitlab';

/**
 * GitLab's `file_path` validator: 400 `file_path should be a valid file path` for `..` segments
 * and backslashes, on create, read and raw read.
 */
let server: GitLabServer;
let projectId: number;

beforeAll(async () => {
  server = await startGitLab();
  projectId = (await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'paths' } })).body.id;
});
afterAll(async () => server.stop());

const file = (path: string) => `/api/v4/projects/${projectId}/repository/files/${encodeURIComponent(path)}`;

describe('repository file paths', () => {
  it('refuses traversal and backslashes on create, read and raw read, and creates nothing', async () => {
    for (const path of ['../x', 'a/../../x', '..\\x', 'a\\..\\b', 'dir/..', './x']) {
      const created = await http(server, 'POST', file(path), { token: server.root, json: { branch: 'main', content: 'x', commit_message: 'bad' } });
      expect([created.status, created.body], path).toEqual([400, { error: 'file_path should be a valid file path' }]);
      const read = await http(server, 'GET', `${file(path)}?ref=main`, { token: server.root });
      expect([read.status, read.body], path).toEqual([400, { error: 'file_path should be a valid file path' }]);
      const raw = await http(server, 'GET', `${file(path)}/raw?ref=main`, { token: server.root });
      expect(raw.status, path).toBe(400);
    }
    // Nothing landed where a normalised path would have put it.
    for (const path of ['x', 'b']) expect((await http(server, 'GET', `${file(path)}?ref=main`, { token: server.root })).status, path).toBe(404);
  });

  it('still takes an ordinary nested path', async () => {
    const created = await http(server, 'POST', file('docs/a..b/readme.md'), { token: server.root, json: { branch: 'main', content: 'fine', commit_message: 'ok' } });
    expect([created.status, created.body]).toEqual([201, { file_path: 'docs/a..b/readme.md', branch: 'main' }]);
    expect((await http(server, 'GET', `${file('docs/a..b/readme.md')}/raw?ref=main`, { token: server.root })).text).toBe('fine');
  });
});
