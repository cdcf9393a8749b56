import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, makeUser, startGitLab, type GitLabServer } from '../../support/gitlab';
import { cleanup, git, gitOk, remoteUrl, scratchDir } from '../../support/git-cli';

/**
 * `git clone`, `push`, `fetch` and `ls-remote` over smart HTTP against a project, with nothing
 * but the real git command line; the files API and git see the same commits.
 */
let server: GitLabServer;
let user: { id: number; token: string };
let projectPath: string;
let projectId: number;

beforeAll(async () => {
  server = await startGitLab();
  user = await makeUser(server, 'ada');
  const project = await http(server, 'POST', '/api/v4/projects', { token: user.token, json: { name: 'shop' } });
  expect(project.status).toBe(201);
  projectPath = project.body.path_with_namespace;
  projectId = project.body.id;
});

afterAll(async () => {
  await server?.stop();
  await cleanup();
});

const url = (secret = user.token, name = 'ada') => remoteUrl(server.url, projectPath, name, secret);

describe('git over HTTP', () => {
  it('clones an empty project, pushes a branch, and a second clone sees it', async () => {
    const dir = await scratchDir();
    const cloned = await git(dir, ['clone', url(), 'work']);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(cloned.stderr).toContain('empty repository');
    const work = join(dir, 'work');
    await writeFile(join(work, 'README.md'), '# shop\n');
    await gitOk(work, ['add', '.']);
    await gitOk(work, ['commit', '-m', 'first']);
    await gitOk(work, ['push', 'origin', 'HEAD:main']);

    const again = await scratchDir();
    await gitOk(again, ['clone', url(), 'copy']);
    expect(await gitOk(join(again, 'copy'), ['log', '--format=%s'])).toBe('first\n');
    expect(await gitOk(join(again, 'copy'), ['show', 'HEAD:README.md'])).toBe('# shop\n');
  });
});
