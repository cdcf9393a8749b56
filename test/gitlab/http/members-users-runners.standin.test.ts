import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, makeRunner, makeUser, projectWithCi, startGitLab, type GitLabServer } from '../../support/gitlab';

/**
 * GitLab routes no other file reaches: resetting a runner's authentication token, reading and
 * changing project members, reading a user, and filtering the pipeline list.
 */
let server: GitLabServer;
let projectId: number;
let alice: { id: number; token: string };

beforeAll(async () => {
  server = await startGitLab();
  projectId = (await projectWithCi(server, 'members', 'build: { script: make }')).id;
  alice = await makeUser(server, 'alice');
});
afterAll(async () => server.stop());

describe('runner authentication token reset', () => {
  it('gives the runner a new token; the old one stops working at once', async () => {
    const runner = await makeRunner(server);
    const reset = await http(server, 'POST', '/api/v4/runners/reset_authentication_token', { json: { token: runner.token } });
    expect(reset.status).toBe(201);
    expect(reset.body).toEqual({ token: expect.stringMatching(/^glrt-/), token_expires_at: null });
    expect(reset.body.token).not.toBe(runner.token);
    expect((await http(server, 'POST', '/api/v4/runners/verify', { json: { token: runner.token } })).status).toBe(403);
    expect((await http(server, 'POST', '/api/v4/runners/verify', { json: { token: reset.body.token } })).status).toBe(200);
    const again = await http(server, 'POST', '/api/v4/runners/reset_authentication_token', { json: { token: runner.token } });
    expect([again.status, again.body]).toEqual([403, { message: '403 Forbidden' }]);
  });
});

describe('project members', () => {
  const members = () => `/api/v4/projects/${projectId}/members`;

  it('adds, reads, lists and changes a member', async () => {
    const added = await http(server, 'POST', members(), { token: server.root, json: { user_id: alice.id, access_level: 30 } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: alice.id, username: 'alice', access_level: 30, membership_state: 'active', expires_at: null });

    const one = await http(server, 'GET', `${members()}/${alice.id}`, { token: server.root });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: alice.id, username: 'alice', access_level: 30 });
    const list = await http(server, 'GET', members(), { token: server.root });
    expect(list.body.map((member: any) => [member.username, member.access_level])).toContainEqual(['alice', 30]);

    const promoted = await http(server, 'PUT', `${members()}/${alice.id}`, { token: server.root, json: { access_level: 40 } });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: alice.id, access_level: 40 });
    expect((await http(server, 'GET', `${members()}/${alice.id}`, { token: server.root })).body.access_level).toBe(40);
  });

  it('refuses bad levels, strangers and members without the right to manage members', async () => {
    const bad = await http(server, 'PUT', `${members()}/${alice.id}`, { token: server.root, json: { access_level: 35 } });
    expect([bad.status, bad.body]).toEqual([400, { error: 'access_level does not have a valid value' }]);
    const missingLevel = await http(server, 'PUT', `${members()}/${alice.id}`, { token: server.root, json: {} });
    expect([missingLevel.status, missingLevel.body]).toEqual([400, { error: 'access_level is missing' }]);

    const bob = await makeUser(server, 'bob');
    const notMember = await http(server, 'PUT', `${members()}/${bob.id}`, { token: server.root, json: { access_level: 30 } });
    expect([notMember.status, notMember.body]).toEqual([404, { message: '404 Not found' }]);
    expect((await http(server, 'GET', `${members()}/${bob.id}`, { token: server.root })).status).toBe(404);

    await http(server, 'POST', members(), { token: server.root, json: { user_id: bob.id, access_level: 30 } });
    const byDeveloper = await http(server, 'PUT', `${members()}/${alice.id}`, { token: bob.token, json: { access_level: 10 } });
    expect([byDeveloper.status, byDeveloper.body]).toEqual([403, { message: '403 Forbidden' }]);
    expect((await http(server, 'GET', `${members()}/${alice.id}`, { token: server.root })).body.access_level).toBe(40);
  });
});

describe('GET /users/:id', () => {
  it('answers the user entity, 404 for nobody, 400 for a non-number', async () => {
    const user = await http(server, 'GET', `/api/v4/users/${alice.id}`, { token: alice.token });
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ id: alice.id, username: 'alice', name: 'alice', state: 'active', bot: false });
    expect(user.body.web_url).toMatch(/\/alice$/);
    expect(Date.parse(user.body.created_at)).toBeGreaterThan(Date.now() - 3600_000);
    expect(user.body).not.toHaveProperty('email');
    const nobody = await http(server, 'GET', '/api/v4/users/987654', { token: alice.token });
    expect([nobody.status, nobody.body]).toEqual([404, { message: '404 User Not Found' }]);
    expect((await http(server, 'GET', '/api/v4/users/abc', { token: alice.token })).status).toBe(400);
  });
});

describe('pipeline list filters', () => {
  it('filters by ref and by status, newest first', async () => {
    const branch = await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/README.md`, {
      token: server.root,
      json: { branch: 'feature', start_branch: 'main', content: 'x', commit_message: 'branch [skip ci]' },
    });
    expect(branch.status).toBe(201);
    const run = async (ref: string) => (await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref } })).body.id as number;
    const mainFirst = await run('main');
    const feature = await run('feature');
    const mainSecond = await run('main');
    const canceled = await http(server, 'POST', `/api/v4/projects/${projectId}/pipelines/${mainSecond}/cancel`, { token: server.root });
    expect(canceled.body.status).toBe('canceled');

    const list = async (query: string) => (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines?${query}`, { token: server.root })).body.map((pipeline: any) => pipeline.id);
    expect(await list('')).toEqual([mainSecond, feature, mainFirst]);
    expect(await list('ref=main')).toEqual([mainSecond, mainFirst]);
    expect(await list('ref=feature')).toEqual([feature]);
    expect(await list('ref=nope')).toEqual([]);
    expect(await list('status=canceled')).toEqual([mainSecond]);
    expect(await list('status=pending')).toEqual([feature, mainFirst]);
    expect(await list('ref=main&status=pending')).toEqual([mainFirst]);
    const paged = await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines?per_page=2&page=2`, { token: server.root });
    expect(paged.body.map((pipeline: any) => pipeline.id)).toEqual([mainFirst]);
    expect(paged.headers.get('x-total')).toBe('3');
  });
});
