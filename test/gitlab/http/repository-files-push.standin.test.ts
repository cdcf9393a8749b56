import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, makeUser, startGitLab, type GitLabServer } from '../../support/gitlab';
import { cleanup, git, gitOk, remoteUrl, scratchDir } from '../../support/git-cli';

/**
 * A commit made through the repository files API is a push, as in GitLab: it starts a push
 * pipeline for the new head (unless the message says `[skip ci]`), and it obeys the default
 * branch's protection — Developers write other branches, Maintainers the default one too, and the
 * same Developer's `git push` to the default branch is refused.
 */
let server: GitLabServer;
let projectId: number;
let developer: { id: number; token: string };
let maintainer: { id: number; token: string };
let reporter: { id: number; token: string };

const ZERO = '0000000000000000000000000000000000000000';
const CI = 'build:\n  script: [make]\n';

const files = (path: string) => `/api/v4/projects/${projectId}/repository/files/${encodeURIComponent(path)}`;
const write = (method: string, path: string, token: string, json: Record<string, unknown>) => http(server, method, files(path), { token, json });
const head = async (branch: string) => (await http(server, 'GET', `/api/v4/projects/${projectId}/repository/branches/${branch}`, { token: server.root })).body.commit.id as string;
const pipelines = async () => (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines`, { token: server.root })).body as Record<string, any>[];
const pipeline = async (id: number) => (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${id}`, { token: server.root })).body;

beforeAll(async () => {
  server = await startGitLab();
  projectId = (await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'files' } })).body.id;
  developer = await makeUser(server, 'dev');
  maintainer = await makeUser(server, 'maint');
  reporter = await makeUser(server, 'rep');
  for (const [user, level] of [[developer, 30], [maintainer, 40], [reporter, 20]] as const) {
    await http(server, 'POST', `/api/v4/projects/${projectId}/members`, { token: server.root, json: { user_id: user.id, access_level: level } });
  }
});

afterAll(async () => {
  await server?.stop();
  await cleanup();
});

describe('a commit through the files API', () => {
  it('starts one push pipeline for the new head, from the previous one', async () => {
    const created = await write('POST', '.gitlab-ci.yml', server.root, { branch: 'main', content: CI, commit_message: 'Add CI' });
    expect([created.status, created.body]).toEqual([201, { file_path: '.gitlab-ci.yml', branch: 'main' }]);
    const first = await head('main');
    const [initial, ...others] = await pipelines();
    expect(others).toEqual([]);
    expect(initial).toMatchObject({ sha: first, ref: 'main', source: 'push' });
    expect((await pipeline(initial.id)).before_sha).toBe(ZERO);

    const updated = await write('PUT', '.gitlab-ci.yml', server.root, { branch: 'main', content: `${CI}test:\n  script: [check]\n`, commit_message: 'Add a test job' });
    expect(updated.status).toBe(200);
    const second = await head('main');
    const latest = (await pipelines())[0];
    expect(latest).toMatchObject({ sha: second, ref: 'main', source: 'push' });
    expect((await pipeline(latest.id)).before_sha).toBe(first);
    expect((await pipelines()).length).toBe(2);
  });

  it('starts none when the message says [skip ci] or [ci skip]', async () => {
    const before = (await pipelines()).length;
    expect((await write('POST', 'notes.txt', server.root, { branch: 'main', content: 'x', commit_message: 'Notes [skip ci]' })).status).toBe(201);
    expect((await write('PUT', 'notes.txt', server.root, { branch: 'main', content: 'y', commit_message: 'More notes\n\n[ci skip]' })).status).toBe(200);
    expect((await pipelines()).length).toBe(before);
    expect((await write('PUT', 'notes.txt', server.root, { branch: 'main', content: 'z', commit_message: 'Skip nothing' })).status).toBe(200);
    expect((await pipelines()).length).toBe(before + 1);
  });

  it('deletes a file as a commit (204) that starts a push pipeline', async () => {
    const before = await head('main');
    const deleted = await http(server, 'DELETE', files('notes.txt'), { token: server.root, json: { branch: 'main', commit_message: 'Drop notes' } });
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    const after = await head('main');
    expect(after).not.toBe(before);
    const gone = await http(server, 'GET', `${files('notes.txt')}?ref=main`, { token: server.root });
    expect([gone.status, gone.body]).toEqual([404, { message: '404 File Not Found' }]);
    expect((await pipelines())[0]).toMatchObject({ sha: after, source: 'push' });
    const missing = await http(server, 'DELETE', files('notes.txt'), { token: server.root, json: { branch: 'main', commit_message: 'Again' } });
    expect([missing.status, missing.body]).toEqual([400, { message: "A file with this name doesn't exist" }]);
    expect((await http(server, 'DELETE', files('.gitlab-ci.yml'), { token: server.root, json: { branch: 'main' } })).body).toEqual({ error: 'commit_message is missing' });
  });
});

describe('the default branch protection', () => {
  it('refuses a Developer on the default branch and lets them write another branch', async () => {
    const before = await head('main');
    const refused = await write('POST', 'dev.txt', developer.token, { branch: 'main', content: 'x', commit_message: 'dev' });
    expect([refused.status, refused.body]).toEqual([400, { message: 'You are not allowed to push into this branch' }]);
    const update = await write('PUT', '.gitlab-ci.yml', developer.token, { branch: 'main', content: CI, commit_message: 'dev' });
    expect([update.status, update.body]).toEqual([400, { message: 'You are not allowed to push into this branch' }]);
    const removal = await http(server, 'DELETE', files('.gitlab-ci.yml'), { token: developer.token, json: { branch: 'main', commit_message: 'dev' } });
    expect([removal.status, removal.body]).toEqual([400, { message: 'You are not allowed to push into this branch' }]);
    expect(await head('main')).toBe(before);

    const count = (await pipelines()).length;
    const branched = await write('POST', 'dev.txt', developer.token, { branch: 'dev-work', start_branch: 'main', content: 'x', commit_message: 'dev' });
    expect([branched.status, branched.body]).toEqual([201, { file_path: 'dev.txt', branch: 'dev-work' }]);
    const pipelinesNow = await pipelines();
    expect(pipelinesNow.length).toBe(count + 1);
    expect(pipelinesNow[0]).toMatchObject({ ref: 'dev-work', sha: await head('dev-work'), source: 'push' });
    expect((await pipeline(pipelinesNow[0].id)).user.username).toBe('dev');
  });

  it('lets a Maintainer write the default branch, and refuses a Reporter any branch', async () => {
    const written = await write('POST', 'maint.txt', maintainer.token, { branch: 'main', content: 'x', commit_message: 'maint' });
    expect(written.status).toBe(201);
    const reporting = await write('POST', 'rep.txt', reporter.token, { branch: 'rep-work', start_branch: 'main', content: 'x', commit_message: 'rep' });
    expect([reporting.status, reporting.body]).toEqual([403, { message: '403 Forbidden' }]);
  });

  it("refuses a Developer's git push to the default branch and takes it to another branch", async () => {
    const dir = await scratchDir();
    await gitOk(dir, ['clone', '-q', remoteUrl(server.url, 'root/files', 'dev', developer.token), 'files']);
    const work = join(dir, 'files');
    await writeFile(join(work, 'pushed.txt'), 'pushed\n');
    await gitOk(work, ['add', '.']);
    await gitOk(work, ['commit', '-q', '-m', 'pushed']);
    const before = await head('main');
    const refused = await git(work, ['push', 'origin', 'HEAD:main']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('remote: GitLab: You are not allowed to push code to protected branches on this project.');
    expect(refused.stderr).toContain('[remote rejected] HEAD -> main (pre-receive hook declined)');
    expect(await head('main')).toBe(before);
    await gitOk(work, ['push', '-q', 'origin', 'HEAD:dev-push']);
    expect(await head('dev-push')).toBe((await gitOk(work, ['rev-parse', 'HEAD'])).trim());
  });
});
