import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, finishJob, http, makeRunner, makeUser, projectWithCi, startGitLab, type GitLabServer } from '../../support/gitlab';
import { makeZip, objectKeys, startJob, uploadViaAuthorize } from '../artifacts/helpers';
import { getJob } from '../../../shared/gitlab/store/jobs';
import { readPipelineWithJobs } from '../../../shared/gitlab/store/pipelines';
import { getProject } from '../../../shared/gitlab/store/projects';

/** What scripts built on gitbeaker call first: the version, projects, members and users. */
let server: GitLabServer;
let api: InstanceType<typeof Gitlab>;
let dev: { id: number; token: string };

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  dev = await makeUser(server, 'dev');
});
afterAll(async () => server.stop());

describe('GET /metadata and /version', () => {
  it('answers a GitLab 17 version with ours in revision, to signed-in callers only', async () => {
    const metadata = await api.Metadata.show();
    expect(metadata).toEqual({ version: expect.stringMatching(/^17\.\d+\.\d+$/), revision: expect.stringMatching(/^jobplane-/), kas: { enabled: false, externalUrl: null, version: null }, enterprise: false });
    const version = await http(server, 'GET', '/api/v4/version', { token: dev.token });
    expect(version.body).toEqual(metadata);
    expect((await http(server, 'GET', '/api/v4/version')).status).toBe(401);
    const readUser = await makeUser(server, 'reader', ['read_user']);
    expect((await http(server, 'GET', '/api/v4/metadata', { token: readUser.token })).status).toBe(200);
  });
});

describe('GET /projects', () => {
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    for (const [name, visibility, description] of [
      ['alpha', 'private', 'first one'],
      ['beta', 'public', null],
      ['gamma', 'internal', 'the alpha helper'],
      ['delta', 'private', null],
    ] as const) {
      ids[name] = (await api.Projects.create({ name, visibility, ...(description ? { description } : {}) })).id;
    }
    await api.ProjectMembers.add(ids.delta, 30, { userId: dev.id });
  });

  it('lists what each caller may see, newest first, with permissions', async () => {
    const all = await api.Projects.all();
    expect(all.map((project) => project.name)).toEqual(['delta', 'gamma', 'beta', 'alpha']);
    const asDev = await client(server, dev.token).Projects.all();
    expect(asDev.map((project) => project.name)).toEqual(['delta', 'gamma', 'beta']);
    expect(asDev[0].permissions).toEqual({ project_access: { access_level: 30, notification_level: 3 }, group_access: null });
    expect(asDev[1].permissions).toEqual({ project_access: null, group_access: null });
    const anonymous = await http(server, 'GET', '/api/v4/projects');
    expect(anonymous.body.map((project: { name: string }) => project.name)).toEqual(['beta']);
    expect(anonymous.body[0]).not.toHaveProperty('permissions');
  });

  it('filters by search, owned, membership, visibility, min_access_level and archived', async () => {
    const names = async (options: Record<string, unknown>, token = server.root) => (await client(server, token).Projects.all(options as never)).map((project) => project.name);
    expect(await names({ search: 'ALPHA' })).toEqual(['gamma', 'alpha']);
    expect(await names({ search: 'root/be' })).toEqual([]);
    expect(await names({ search: 'root/be', searchNamespaces: true })).toEqual(['beta']);
    await api.Projects.edit(ids.beta, { topics: ['ci', 'Docs'] } as never);
    expect(await names({ topic: 'docs,ci' })).toEqual(['beta']);
    expect(await names({ topic: 'docs,go' })).toEqual([]);
    expect(await names({ owned: true }, dev.token)).toEqual([]);
    expect(await names({ membership: true }, dev.token)).toEqual(['delta']);
    expect(await names({ visibility: 'private' })).toEqual(['delta', 'alpha']);
    expect(await names({ minAccessLevel: 40 }, dev.token)).toEqual([]);
    expect(await names({ minAccessLevel: 30 }, dev.token)).toEqual(['delta']);
    expect(await names({ archived: true })).toEqual([]);
    expect(await names({ archived: false, orderBy: 'name', sort: 'asc' })).toEqual(['alpha', 'beta', 'delta', 'gamma']);
    const bad = await http(server, 'GET', '/api/v4/projects?visibility=secret&order_by=stars', { token: server.root });
    expect(bad).toMatchObject({ status: 400, body: { error: 'visibility does not have a valid value, order_by does not have a valid value' } });
  });

  it('answers the simple entity and statistics when asked', async () => {
    const [simple] = await api.Projects.all({ simple: true, search: 'beta' });
    expect(Object.keys(simple)).toEqual([
      'id', 'description', 'name', 'name_with_namespace', 'path', 'path_with_namespace', 'created_at', 'default_branch', 'tag_list', 'topics',
      'ssh_url_to_repo', 'http_url_to_repo', 'web_url', 'readme_url', 'forks_count', 'avatar_url', 'star_count', 'last_activity_at', 'namespace',
    ]);
    const [withStats] = await api.Projects.all({ statistics: true, search: 'beta' });
    expect(withStats.statistics).toMatchObject({ commit_count: 0, job_artifacts_size: 0, repository_size: 0 });
    const [without] = await api.Projects.all({ search: 'beta' });
    expect(without).not.toHaveProperty('statistics');
  });

  it('pages by offset with GitLab’s headers', async () => {
    const page = await http(server, 'GET', '/api/v4/projects?per_page=3&page=1&order_by=id&sort=asc', { token: server.root });
    expect(page.body.map((project: { name: string }) => project.name)).toEqual(['alpha', 'beta', 'gamma']);
    expect(Object.fromEntries(['x-page', 'x-per-page', 'x-next-page', 'x-prev-page', 'x-total', 'x-total-pages'].map((name) => [name, page.headers.get(name)]))).toEqual({
      'x-page': '1', 'x-per-page': '3', 'x-next-page': '2', 'x-prev-page': '', 'x-total': '4', 'x-total-pages': '2',
    });
    expect(page.headers.get('link')).toBe(
      `<${server.url}/api/v4/projects?order_by=id&page=2&per_page=3&sort=asc>; rel="next", <${server.url}/api/v4/projects?order_by=id&page=1&per_page=3&sort=asc>; rel="first", <${server.url}/api/v4/projects?order_by=id&page=2&per_page=3&sort=asc>; rel="last"`,
    );
    const all = await api.Projects.all({ perPage: 1, orderBy: 'id', sort: 'asc' });
    expect(all).toHaveLength(4);
    const expanded = (await api.Projects.all({ perPage: 3, page: 2, showExpanded: true } as never)) as unknown as { paginationInfo: Record<string, unknown> };
    expect(expanded.paginationInfo).toMatchObject({ total: 4, current: 2, previous: 1, next: null, totalPages: 2 });
    const far = await http(server, 'GET', '/api/v4/projects?per_page=100&page=501', { token: server.root });
    expect(far).toMatchObject({ status: 405, body: { message: expect.stringContaining('of type Project. Remaining records can be retrieved using keyset pagination.') } });
  });

  it('pages by keyset on id only, with a next link while a page is not empty', async () => {
    const first = await http(server, 'GET', '/api/v4/projects?pagination=keyset&order_by=id&sort=asc&per_page=3', { token: server.root });
    expect(first.body.map((project: { name: string }) => project.name)).toEqual(['alpha', 'beta', 'gamma']);
    expect(first.headers.get('x-total')).toBeNull();
    expect(first.headers.get('link')).toBe(`<${server.url}/api/v4/projects?id_after=${ids.gamma}&order_by=id&pagination=keyset&per_page=3&sort=asc>; rel="next"`);
    const all = await api.Projects.all({ pagination: 'keyset', orderBy: 'id', sort: 'desc', perPage: 2 });
    expect(all.map((project) => project.name)).toEqual(['delta', 'gamma', 'beta', 'alpha']);
    const wrongOrder = await http(server, 'GET', '/api/v4/projects?pagination=keyset', { token: server.root });
    expect(wrongOrder).toMatchObject({ status: 405, body: { message: 'Keyset pagination is not yet available for this type of request' } });
  });
});

describe('PUT /projects/:id', () => {
  it('changes settings as the maintainer or owner may, and answers the project', async () => {
    const project = await api.Projects.create({ name: 'settings' });
    const edited = await api.Projects.edit(project.id, { name: 'Settings Two', description: 'changed', publicJobs: false, ciConfigPath: 'ci/pipeline.yml', buildTimeout: 7200, topics: ['b', 'a'] } as never);
    expect(edited).toMatchObject({ name: 'Settings Two', path: 'settings', description: 'changed', public_jobs: false, ci_config_path: 'ci/pipeline.yml', build_timeout: 7200, topics: ['a', 'b'] });
    expect((await api.Projects.show(project.id)).build_timeout).toBe(7200);
    const moved = await api.Projects.edit(project.id, { path: 'settings-two', visibility: 'internal' });
    expect(moved).toMatchObject({ path_with_namespace: 'root/settings-two', visibility: 'internal' });
    expect((await http(server, 'GET', '/api/v4/projects/root%2Fsettings-two', { token: server.root })).status).toBe(200);
    expect((await http(server, 'GET', '/api/v4/projects/root%2Fsettings', { token: server.root })).status).toBe(404);
  });

  it('answers GitLab’s errors', async () => {
    const project = await api.Projects.create({ name: 'strict' });
    const none = await http(server, 'PUT', `/api/v4/projects/${project.id}`, { token: server.root, json: {} });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/^name, path, description, .* are missing, at least one parameter must be provided$/);
    const timeout = await http(server, 'PUT', `/api/v4/projects/${project.id}`, { token: server.root, json: { build_timeout: 60 } });
    expect(timeout).toMatchObject({ status: 400, body: { message: { build_timeout: ['needs to be between 10 minutes and 1 month'] } } });
    const branch = await http(server, 'PUT', `/api/v4/projects/${project.id}`, { token: server.root, json: { default_branch: 'nope' } });
    expect(branch).toMatchObject({ status: 400, body: { message: "Could not set the default branch. Do you have a branch named 'nope' in your repository?" } });
    await api.ProjectMembers.add(project.id, 40, { userId: dev.id });
    const asMaintainer = client(server, dev.token);
    expect((await asMaintainer.Projects.edit(project.id, { description: 'ok' })).description).toBe('ok');
    expect((await http(server, 'PUT', `/api/v4/projects/${project.id}`, { token: dev.token, json: { visibility: 'public' } })).status).toBe(403);
    expect((await http(server, 'DELETE', `/api/v4/projects/${project.id}`, { token: dev.token })).status).toBe(403);
  });
});

describe('DELETE /projects/:id', () => {
  it('answers 202 and removes the project with its pipelines, jobs, traces and artifacts', async () => {
    const runner = await makeRunner(server);
    const { id } = await projectWithCi(server, 'doomed', 'build: { script: [make], artifacts: { paths: [out/] } }');
    const job = await startJob(server, id, runner.token);
    await http(server, 'PATCH', `/api/v4/jobs/${job.id}/trace`, { jobToken: job.token, body: 'building\n', headers: { 'Content-Range': '0-8' } });
    expect((await uploadViaAuthorize(server, job, await makeZip({ 'out/a.txt': 'a' }))).status).toBe(201);
    expect((await finishJob(server, job.id, job.token, 'success')).status).toBe(200);
    expect(await objectKeys(`traces/gitlab/${id}/`)).toHaveLength(1);
    expect((await objectKeys(`artifacts/gitlab/${id}/`)).length).toBeGreaterThan(0);

    const deleted = await http(server, 'DELETE', `/api/v4/projects/${id}`, { token: server.root });
    expect(deleted).toMatchObject({ status: 202, body: { message: '202 Accepted' } });
    expect((await http(server, 'GET', `/api/v4/projects/${id}`, { token: server.root })).status).toBe(404);
    expect((await http(server, 'GET', `/api/v4/projects/${id}/jobs/${job.id}`, { token: server.root })).status).toBe(404);
    expect((await api.Projects.all({ search: 'doomed' })).length).toBe(0);
    expect(await objectKeys(`traces/gitlab/${id}/`)).toEqual([]);
    expect(await getJob(job.id)).toBeUndefined();
    expect(await readPipelineWithJobs(job.pipelineId)).toBeUndefined();
    expect(await getProject(id)).toBeUndefined();
    expect(await objectKeys(`artifacts/gitlab/${id}/`)).toEqual([]);
    // The job's token died with it, and the name is free again.
    expect((await http(server, 'GET', '/api/v4/job', { jobToken: job.token })).status).toBe(401);
    expect((await api.Projects.create({ name: 'doomed' })).path_with_namespace).toBe('root/doomed');
  });
});

describe('members and users', () => {
  it('lists all members with query and pagination', async () => {
    const project = await api.Projects.create({ name: 'team' });
    await api.ProjectMembers.add(project.id, 20, { userId: dev.id });
    const all = await api.ProjectMembers.all(project.id, { includeInherited: true });
    expect(all.map((member) => [member.username, member.access_level])).toEqual([['root', 50], ['dev', 20]]);
    expect(all[1]).toMatchObject({ id: dev.id, name: 'dev', state: 'active', expires_at: null, membership_state: 'active' });
    const found = await http(server, 'GET', `/api/v4/projects/${project.id}/members/all?query=de`, { token: server.root });
    expect(found.body.map((member: { username: string }) => member.username)).toEqual(['dev']);
    expect(found.headers.get('x-total')).toBe('1');
  });

  it('lists users by username and search; administrators see e-mail', async () => {
    const byName = await api.Users.all({ username: 'DEV' });
    expect(byName).toHaveLength(1);
    expect(byName[0]).toMatchObject({ id: dev.id, username: 'dev', email: 'dev@example.com', is_admin: false });
    const asDev = await client(server, dev.token).Users.all({ search: 'ad' });
    // `reader` by username, root by its name, Administrator; newest first.
    expect(asDev.map((user) => user.username)).toEqual(['reader', 'root']);
    expect(asDev[0]).not.toHaveProperty('email');
    const everyone = await api.Users.all({ orderBy: 'id', sort: 'asc' } as never);
    expect(everyone.map((user) => user.username)).toEqual(['root', 'dev', 'reader']);
    expect((await api.Users.all({ search: 'dev@example' })).map((user) => user.username)).toEqual(['dev']);
  });
});
