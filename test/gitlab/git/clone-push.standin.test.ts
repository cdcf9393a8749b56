import { mkdir, writeFile } from 'node:fs/promises';
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

async function commitFile(work: string, path: string, content: string, message: string): Promise<string> {
  await mkdir(join(work, path, '..'), { recursive: true });
  await writeFile(join(work, path), content);
  await gitOk(work, ['add', '.']);
  await gitOk(work, ['commit', '-q', '-m', message]);
  return (await gitOk(work, ['rev-parse', 'HEAD'])).trim();
}

describe('git over HTTP', () => {
  let work: string;

  it('clones an empty project, pushes a branch, and a second clone sees it', async () => {
    const dir = await scratchDir();
    const cloned = await git(dir, ['clone', url(), 'work']);
    await gitOk(join(dir, 'work'), ['checkout', '-q', '-b', 'main']);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(cloned.stderr).toContain('empty repository');
    work = join(dir, 'work');
    await commitFile(work, 'README.md', '# shop\n', 'first');
    await commitFile(work, 'src/app/main.js', 'console.log(1)\n', 'second');
    await gitOk(work, ['push', '-q', '-u', 'origin', 'main']);

    for (const version of ['0', '2']) {
      const again = await scratchDir();
      await gitOk(again, ['-c', `protocol.version=${version}`, 'clone', '-q', url(), 'copy']);
      const copy = join(again, 'copy');
      expect(await gitOk(copy, ['log', '--format=%s'])).toBe('second\nfirst\n');
      expect(await gitOk(copy, ['show', 'HEAD:src/app/main.js'])).toBe('console.log(1)\n');
      expect((await gitOk(copy, ['branch', '--show-current'])).trim()).toBe('main');
      await gitOk(copy, ['fsck', '--strict']);
    }
    const project = await http(server, 'GET', `/api/v4/projects/${projectId}`, { token: user.token });
    expect(project.body.default_branch).toBe('main');
  });

  it('lists refs with ls-remote, anonymous clients are challenged', async () => {
    const head = (await gitOk(work, ['rev-parse', 'HEAD'])).trim();
    const dir = await scratchDir();
    expect(await gitOk(dir, ['ls-remote', url()])).toBe(`${head}\tHEAD\n${head}\trefs/heads/main\n`);
    // Without `.git` the discovery is redirected to the `.git` URL, as GitLab does; dumb HTTP is refused.
    const bare = new URL(url());
    bare.pathname = bare.pathname.replace(/\.git$/, '');
    expect(await gitOk(dir, ['ls-remote', bare.toString(), 'refs/heads/main'])).toBe(`${head}\trefs/heads/main\n`);
    const dumb = await fetch(`${server.url}/${projectPath}.git/info/refs`, { headers: { Authorization: `Basic ${Buffer.from(`ada:${user.token}`).toString('base64')}` } });
    expect(dumb.status).toBe(403);
    const anonymous = await git(dir, ['ls-remote', remoteUrl(server.url, projectPath)]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/Authentication failed|could not read Username/);
    const response = await fetch(`${server.url}/${projectPath}.git/info/refs?service=git-upload-pack`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="GitLab"');
    const wrong = await git(dir, ['ls-remote', url('glpat-not-a-token')]);
    expect(wrong.stderr).toContain('HTTP Basic: Access denied');
    expect(wrong.stderr).toContain('Authentication failed');
  });

  it('serves the API commit to git and the pushed commit to the API', async () => {
    const write = await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/docs%2Fapi.md`, {
      token: user.token,
      json: { branch: 'main', content: 'from the API\n', commit_message: 'api commit' },
    });
    expect(write.status).toBe(201);
    const pulled = await git(work, ['pull', '-q', '--ff-only', 'origin', 'main']);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(await gitOk(work, ['log', '-1', '--format=%s %an'])).toBe('api commit ada\n');
    expect(await gitOk(work, ['show', 'HEAD:docs/api.md'])).toBe('from the API\n');
    await gitOk(work, ['fsck', '--strict']);

    const raw = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/files/src%2Fapp%2Fmain.js/raw?ref=main`, { token: user.token });
    expect(raw.text).toBe('console.log(1)\n');
    const sha = await commitFile(work, 'src/app/main.js', 'console.log(2)\n', 'pushed change');
    await gitOk(work, ['push', '-q', 'origin', 'main']);
    const file = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/files/src%2Fapp%2Fmain.js?ref=main`, { token: user.token });
    expect(Buffer.from(file.body.content, 'base64').toString()).toBe('console.log(2)\n');
    expect(file.body.commit_id).toBe(sha);
    expect(file.body.blob_id).toBe((await gitOk(work, ['rev-parse', 'HEAD:src/app/main.js'])).trim());
  });

  it('refuses a non-fast-forward push, and a force push to the protected default branch', async () => {
    const dir = await scratchDir();
    await gitOk(dir, ['clone', '-q', url(), 'other']);
    const other = join(dir, 'other');
    await commitFile(other, 'other.txt', 'other\n', 'from the other clone');
    await gitOk(other, ['push', '-q', 'origin', 'main']);

    await commitFile(work, 'mine.txt', 'mine\n', 'diverged');
    const refused = await git(work, ['push', 'origin', 'main']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/\[rejected\].*main -> main \(fetch first\)/);
    const forced = await git(work, ['push', '--force', 'origin', 'main']);
    expect(forced.code).not.toBe(0);
    expect(forced.stderr).toContain('remote: GitLab: You are not allowed to force push code to a protected branch on this project.');
    expect(forced.stderr).toContain('[remote rejected] main -> main (pre-receive hook declined)');
    const remoteHead = (await gitOk(dir, ['ls-remote', url(), 'refs/heads/main'])).split('\t')[0];
    expect(remoteHead).toBe((await gitOk(other, ['rev-parse', 'HEAD'])).trim());
  });

  it('creates, force-pushes and deletes other branches; the default branch may not be deleted', async () => {
    await gitOk(work, ['push', '-q', 'origin', 'HEAD:refs/heads/feature']);
    await gitOk(work, ['commit', '-q', '--amend', '-m', 'rewritten']);
    const forced = await git(work, ['push', '--force', 'origin', 'HEAD:feature']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('(forced update)');
    const deleted = await git(work, ['push', 'origin', '--delete', 'feature']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await gitOk(work, ['ls-remote', url(), 'refs/heads/feature'])).toBe('');
    const main = await git(work, ['push', 'origin', '--delete', 'main']);
    expect(main.code).not.toBe(0);
    expect(main.stderr).toContain('remote: GitLab: You can only delete protected branches using the web interface.');
    const badName = await git(work, ['push', 'origin', 'HEAD:refs/heads/bad..name']);
    expect(badName.code).not.toBe(0);
  });

  it('fetches shallow and deepens', async () => {
    await gitOk(work, ['fetch', '-q', 'origin']);
    await gitOk(work, ['reset', '-q', '--hard', 'origin/main']);
    const total = Number((await gitOk(work, ['rev-list', '--count', 'HEAD'])).trim());
    expect(total).toBeGreaterThan(3);
    for (const version of ['0', '2']) {
      const dir = await scratchDir();
      await gitOk(dir, ['-c', `protocol.version=${version}`, 'clone', '-q', '--depth', '1', url(), 'shallow']);
      const shallow = join(dir, 'shallow');
      expect((await gitOk(shallow, ['rev-list', '--count', 'HEAD'])).trim()).toBe('1');
      expect((await gitOk(shallow, ['rev-parse', '--is-shallow-repository'])).trim()).toBe('true');
      await gitOk(shallow, ['-c', `protocol.version=${version}`, 'fetch', '-q', '--deepen', '2']);
      expect((await gitOk(shallow, ['rev-list', '--count', 'HEAD'])).trim()).toBe('3');
      await gitOk(shallow, ['-c', `protocol.version=${version}`, 'fetch', '-q', '--unshallow']);
      expect((await gitOk(shallow, ['rev-list', '--count', 'HEAD'])).trim()).toBe(String(total));
      await gitOk(shallow, ['fsck']);
    }
  });

  it('fetches a commit by its SHA into a pipeline ref, as gitlab-runner does', async () => {
    const sha = (await gitOk(work, ['rev-parse', 'HEAD~1'])).trim();
    const dir = await scratchDir();
    await gitOk(dir, ['init', '-q', 'runner']);
    const runner = join(dir, 'runner');
    await gitOk(runner, ['remote', 'add', 'origin', url()]);
    await gitOk(runner, ['fetch', '-q', 'origin', `+${sha}:refs/pipelines/7`, '+refs/heads/main:refs/remotes/origin/main', '--depth', '20']);
    await gitOk(runner, ['checkout', '-q', '-f', sha]);
    expect((await gitOk(runner, ['rev-parse', 'refs/pipelines/7'])).trim()).toBe(sha);
  });

  it('pushes tags, annotated ones peeled in the advertisement', async () => {
    await gitOk(work, ['tag', '-a', 'v1.0', '-m', 'release']);
    await gitOk(work, ['tag', 'light']);
    await gitOk(work, ['push', '-q', 'origin', '--tags']);
    const head = (await gitOk(work, ['rev-parse', 'HEAD'])).trim();
    const listed = await gitOk(work, ['ls-remote', '--tags', url()]);
    expect(listed).toContain(`${head}\trefs/tags/v1.0^{}`);
    expect(listed).toContain(`${head}\trefs/tags/light`);
    const dir = await scratchDir();
    await gitOk(dir, ['clone', '-q', url(), 'tags']);
    expect((await gitOk(join(dir, 'tags'), ['describe'])).trim()).toBe('v1.0');
  });
});
