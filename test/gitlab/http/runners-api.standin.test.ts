import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, finishJob, http, makeRunner, makeUser, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';
import { updateRunner } from '../../../shared/gitlab/store/runners';

/** The Runners API through gitbeaker: listing, details, changes, jobs, and assigning runners to projects. */
let server: GitLabServer;
let api: InstanceType<typeof Gitlab>;
let maintainer: { id: number; token: string };
let projectA: number;
let projectB: number;
let shared: { id: number; token: string };
let projectRunner: { id: number; token: string };

async function projectRunnerFor(projectId: number, token: string, fields: Record<string, unknown> = {}) {
  const response = await http(server, 'POST', '/api/v4/user/runners', { token, json: { runner_type: 'project_type', project_id: projectId, description: 'project runner', ...fields } });
  if (response.status !== 201) throw new Error(`runner: ${response.status} ${response.text}`);
  return response.body as { id: number; token: string };
}

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  maintainer = await makeUser(server, 'maint');
  projectA = (await api.Projects.create({ name: 'runner-a' })).id;
  projectB = (await api.Projects.create({ name: 'runner-b' })).id;
  await http(server, 'POST', `/api/v4/projects/${projectA}/repository/files/.gitlab-ci.yml`, { token: server.root, json: { branch: 'main', content: 'one: { script: [x], tags: [linux] }\n', commit_message: 'ci [skip ci]' } });
  await api.ProjectMembers.add(projectA, 40, { userId: maintainer.id });
  shared = await makeRunner(server, { tags: ['docker'] });
  projectRunner = await projectRunnerFor(projectA, maintainer.token, { tag_list: 'linux,arm' });
});
afterAll(async () => server.stop());

describe('listing runners', () => {
  it('lists the runners a user owns, and all of them to administrators', async () => {
    const own = await client(server, maintainer.token).Runners.all({ owned: true });
    expect(own).toEqual([
      { id: projectRunner.id, description: 'project runner', ip_address: null, active: true, paused: false, is_shared: false, runner_type: 'project_type', name: null, online: false, status: 'never_contacted' },
    ]);
    const all = await api.Runners.all();
    expect(all.map((runner) => [runner.id, runner.runner_type])).toEqual([[shared.id, 'instance_type'], [projectRunner.id, 'project_type']]);
    expect((await http(server, 'GET', '/api/v4/runners/all', { token: maintainer.token })).status).toBe(403);
    expect((await http(server, 'GET', '/api/v4/runners')).status).toBe(401);
  });

  it('follows the runner’s contact: online once it asks for jobs', async () => {
    expect((await requestJob(server, shared.token)).status).toBe(204);
    const [online] = await api.Runners.all({ status: 'online' } as never);
    expect(online).toMatchObject({ id: shared.id, online: true, status: 'online', name: 'gitlab-runner' });
    const details = await api.Runners.show(shared.id);
    expect(details).toMatchObject({ version: '17.5.0', contacted_at: expect.stringMatching(/^\d{4}-/) });
    expect((await api.Runners.all({ status: 'never_contacted' } as never)).map((runner) => runner.id)).toEqual([projectRunner.id]);
  });

  it('counts every request as a heartbeat, a paused runner’s too', async () => {
    const paused = await projectRunnerFor(projectB, server.root, { paused: true });
    expect((await api.Runners.show(paused.id)).status).toBe('never_contacted');
    expect((await requestJob(server, paused.token)).status).toBe(204);
    expect(await api.Runners.show(paused.id)).toMatchObject({ status: 'paused', online: true, contacted_at: expect.stringMatching(/^\d{4}-/) });
    await http(server, 'DELETE', `/api/v4/runners/${paused.id}`, { token: server.root });
  });

  it('stays online while busy with a long job: the job’s updates are heartbeats too', async () => {
    const busy = await projectRunnerFor(projectB, server.root, { tag_list: 'busy', run_untagged: false });
    await http(server, 'POST', `/api/v4/projects/${projectB}/repository/files/.gitlab-ci.yml`, { token: server.root, json: { branch: 'main', content: 'long: { script: [sleep], tags: [busy] }\n', commit_message: 'ci [skip ci]' } });
    await http(server, 'POST', `/api/v4/projects/${projectB}/pipeline`, { token: server.root, json: { ref: 'main' } });
    const job = await requestJob(server, busy.token);
    expect(job.status).toBe(201);
    // Three hours later, as far as the runner's last request goes.
    await updateRunner(busy.id, { contactedAt: Date.now() - 3 * 60 * 60 * 1000 });
    expect((await api.Runners.show(busy.id)).status).toBe('offline');
    expect((await http(server, 'PUT', `/api/v4/jobs/${job.body.id}`, { json: { token: job.body.token, state: 'running' } })).status).toBe(200);
    expect(await api.Runners.show(busy.id)).toMatchObject({ status: 'online', online: true });
    await finishJob(server, job.body.id, job.body.token, 'success');
    await http(server, 'DELETE', `/api/v4/runners/${busy.id}`, { token: server.root });
  });

  it('filters by type, paused, tag_list and scope, with GitLab’s errors', async () => {
    const ids = async (query: string) => (await http(server, 'GET', `/api/v4/runners/all?${query}`, { token: server.root })).body.map((runner: { id: number }) => runner.id);
    expect(await ids('type=project_type')).toEqual([projectRunner.id]);
    expect(await ids('tag_list=linux,arm')).toEqual([projectRunner.id]);
    expect(await ids('tag_list[]=docker')).toEqual([shared.id]);
    expect(await ids('paused=true')).toEqual([]);
    expect(await ids('scope=shared')).toEqual([shared.id]);
    expect((await http(server, 'GET', '/api/v4/runners/all?type=cloud', { token: server.root })).body).toEqual({ error: 'type does not have a valid value' });
    const ownScope = await http(server, 'GET', '/api/v4/runners?scope=shared', { token: maintainer.token });
    expect(ownScope).toMatchObject({ status: 400, body: { message: 'Scope contains invalid value' } });
    const paged = await http(server, 'GET', '/api/v4/runners/all?per_page=1', { token: server.root });
    expect(paged.headers.get('x-total')).toBe('2');
    expect(paged.headers.get('x-next-page')).toBe('2');
  });
});

describe('one runner', () => {
  it('shows details to those who may see them', async () => {
    const details = await client(server, maintainer.token).Runners.show(projectRunner.id);
    expect(details).toMatchObject({ id: projectRunner.id, tag_list: ['linux', 'arm'], run_untagged: true, locked: false, maximum_timeout: null, access_level: 'not_protected', contacted_at: null, maintenance_note: null, groups: [] });
    expect((details.projects as { id: number }[]).map((project) => project.id)).toEqual([projectA]);
    const outsider = await makeUser(server, 'outsider');
    expect(await http(server, 'GET', `/api/v4/runners/${projectRunner.id}`, { token: outsider.token })).toMatchObject({ status: 403, body: { message: '403 Forbidden - No access granted' } });
    expect((await http(server, 'GET', `/api/v4/runners/${shared.id}`, { token: outsider.token })).status).toBe(200);
    expect(await http(server, 'GET', '/api/v4/runners/999', { token: server.root })).toMatchObject({ status: 404, body: { message: '404 Runner Not Found' } });
  });

  it('changes settings, and the runner sees its new tags at once', async () => {
    const before = (await requestJob(server, projectRunner.token)).headers.get('x-gitlab-last-update');
    const edited = await client(server, maintainer.token).Runners.edit(projectRunner.id, { description: 'renamed', tagList: ['linux'], paused: true, maximumTimeout: 3600, maintenanceNote: 'note' } as never);
    expect(edited).toMatchObject({ description: 'renamed', tag_list: ['linux'], paused: true, active: false, status: 'paused', maximum_timeout: 3600, maintenance_note: 'note' });
    const after = await requestJob(server, projectRunner.token, { last_update: before });
    expect(after.headers.get('x-gitlab-last-update')).not.toBe(before);
    const tooShort = await http(server, 'PUT', `/api/v4/runners/${projectRunner.id}`, { token: server.root, json: { maximum_timeout: 60 } });
    expect(tooShort).toMatchObject({ status: 400, body: { message: { maximum_timeout: ['needs to be at least 10 minutes'] } } });
    const both = await http(server, 'PUT', `/api/v4/runners/${projectRunner.id}`, { token: server.root, json: { active: true, paused: true } });
    expect(both).toMatchObject({ status: 400, body: { error: 'active, paused are mutually exclusive' } });
    const nothing = await http(server, 'PUT', `/api/v4/runners/${projectRunner.id}`, { token: server.root, json: {} });
    expect(nothing.body.error).toBe('description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note are missing, at least one parameter must be provided');
    await api.Runners.edit(projectRunner.id, { paused: false } as never);
  });

  it('lists the jobs a runner took', async () => {
    const pipeline = await http(server, 'POST', `/api/v4/projects/${projectA}/pipeline`, { token: server.root, json: { ref: 'main' } });
    const job = await requestJob(server, projectRunner.token);
    expect(job.status).toBe(201);
    await finishJob(server, job.body.id, job.body.token, 'success');
    const jobs = await client(server, maintainer.token).Runners.allJobs(projectRunner.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: job.body.id, status: 'success', name: 'one', pipeline: { id: pipeline.body.id }, project: { id: projectA, name: 'runner-a', path_with_namespace: 'root/runner-a' } });
    expect(await api.Runners.allJobs(projectRunner.id, { status: 'running' } as never)).toEqual([]);
    expect((await http(server, 'GET', `/api/v4/runners/${projectRunner.id}/jobs?status=nope`, { token: server.root })).body).toEqual({ error: 'status does not have a valid value' });
    expect((await api.Runners.allJobs(shared.id)).length).toBe(0);
  });
});

describe('project runners', () => {
  it('lists a project’s runners and instance runners', async () => {
    const runners = await client(server, maintainer.token).Runners.all({ projectId: projectA });
    expect(runners.map((runner) => runner.id)).toEqual([shared.id, projectRunner.id]);
    expect((await api.Runners.all({ projectId: projectB })).map((runner) => runner.id)).toEqual([shared.id]);
  });

  it('assigns a project runner to another project and takes it away again', async () => {
    expect((await http(server, 'POST', `/api/v4/projects/${projectB}/runners`, { token: maintainer.token, json: { runner_id: projectRunner.id } })).status).toBe(404);
    const enabled = await api.Runners.enable(projectB, projectRunner.id);
    expect(enabled).toMatchObject({ id: projectRunner.id, runner_type: 'project_type' });
    expect((await api.Runners.all({ projectId: projectB })).map((runner) => runner.id)).toEqual([shared.id, projectRunner.id]);
    const deleteShared = await http(server, 'DELETE', `/api/v4/runners/${projectRunner.id}`, { token: maintainer.token });
    expect(deleteShared).toMatchObject({ status: 403, body: { message: '403 Forbidden - Runner associated with more than one project' } });
    await api.Runners.disable(projectB, projectRunner.id);
    const last = await http(server, 'DELETE', `/api/v4/projects/${projectA}/runners/${projectRunner.id}`, { token: server.root });
    expect(last).toMatchObject({ status: 403, body: { message: '403 Forbidden - Only one project associated with the runner. Please remove the runner instead' } });
    expect(await http(server, 'DELETE', `/api/v4/projects/${projectB}/runners/${projectRunner.id}`, { token: server.root })).toMatchObject({ status: 404, body: { message: '404 Runner Not Found' } });
    const locked = await projectRunnerFor(projectA, maintainer.token, { locked: true });
    await api.ProjectMembers.add(projectB, 40, { userId: maintainer.id });
    expect(await http(server, 'POST', `/api/v4/projects/${projectB}/runners`, { token: maintainer.token, json: { runner_id: locked.id } })).toMatchObject({ status: 403, body: { message: '403 Forbidden - Runner is locked' } });
  });

  it('deletes a runner: it is gone and its token no longer works', async () => {
    const doomed = await projectRunnerFor(projectA, maintainer.token);
    await client(server, maintainer.token).Runners.remove({ runnerId: doomed.id });
    expect((await http(server, 'GET', `/api/v4/runners/${doomed.id}`, { token: server.root })).status).toBe(404);
    expect((await requestJob(server, doomed.token)).status).toBe(403);
  });
});
