import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, finishJob, http, makeRunner, makeUser, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';
import { makeZip, objectKeys, uploadViaAuthorize } from '../artifacts/helpers';

/** The latest pipeline of a ref, a pipeline's variables, and deleting a pipeline, through gitbeaker. */
let server: GitLabServer;
let api: InstanceType<typeof Gitlab>;
let projectId: number;

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  projectId = (await projectWithCi(server, 'pipes', 'build:\n  script: [make]\n  artifacts: { paths: [out/] }\nchild:\n  trigger: { include: child.yml }\n')).id;
  await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/child.yml`, { token: server.root, json: { branch: 'main', content: 'inner: { script: [x] }\n', commit_message: 'child [skip ci]' } });
  await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/other.txt`, { token: server.root, json: { branch: 'feature', start_branch: 'main', content: 'x', commit_message: 'feature [skip ci]' } });
});
afterAll(async () => server.stop());

describe('GET /projects/:id/pipelines/latest', () => {
  it('answers the newest pipeline of the ref (the default branch by default), never a child pipeline', async () => {
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/latest`, { token: server.root })).toMatchObject({ status: 404, body: { message: '404 Not found' } });
    const first = await api.Pipelines.create(projectId, 'main');
    const onFeature = await api.Pipelines.create(projectId, 'feature');
    const latest = await api.Pipelines.showLatest(projectId);
    expect(latest).toMatchObject({ id: first.id, ref: 'main', source: 'api', detailed_status: expect.objectContaining({ group: expect.any(String) }) });
    const all = await api.Pipelines.all(projectId);
    expect(all.some((pipeline) => pipeline.source === 'parent_pipeline' && pipeline.id > first.id)).toBe(true);
    expect((await api.Pipelines.showLatest(projectId, { ref: 'feature' })).id).toBe(onFeature.id);
  });
});

describe('GET /projects/:id/pipelines/:pipeline_id/variables', () => {
  it('lists the variables the pipeline was created with', async () => {
    const pipeline = await api.Pipelines.create(projectId, 'main', { variables: [{ key: 'RUN_NIGHTLY', value: 'true' }, { key: 'CONFIG', value: 'a=1', variable_type: 'file' }] } as never);
    expect(await api.Pipelines.allVariables(projectId, pipeline.id)).toEqual([
      { variable_type: 'env_var', key: 'RUN_NIGHTLY', value: 'true', raw: false },
      { variable_type: 'file', key: 'CONFIG', value: 'a=1', raw: false },
    ]);
    const reporter = await makeUser(server, 'reporter');
    await api.ProjectMembers.add(projectId, 20, { userId: reporter.id });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipeline.id}/variables`, { token: reporter.token })).status).toBe(403);
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/99999/variables`, { token: server.root })).toMatchObject({ status: 404, body: { message: '404 Not found' } });
  });
});

describe('DELETE /projects/:id/pipelines/:pipeline_id', () => {
  it('deletes the pipeline with its jobs, traces and artifacts; only owners may', async () => {
    // Its own project and runner, so the runner takes this pipeline's job and no other.
    const projectId = (await projectWithCi(server, 'doomed-pipes', 'build:\n  tags: [doomed]\n  script: [make]\n  artifacts: { paths: [out/] }\n')).id;
    const runner = await makeRunner(server, { tags: ['doomed'], runUntagged: false });
    const pipeline = await api.Pipelines.create(projectId, 'main');
    const job = await requestJob(server, runner.token);
    expect(job.status).toBe(201);
    const running = { id: job.body.id, token: job.body.token, projectId, pipelineId: pipeline.id };
    await http(server, 'PATCH', `/api/v4/jobs/${running.id}/trace`, { jobToken: running.token, body: 'log\n', headers: { 'Content-Range': '0-3' } });
    expect((await uploadViaAuthorize(server, running, await makeZip({ 'out/a': 'a' }))).status).toBe(201);
    await finishJob(server, running.id, running.token, 'success');
    expect((await objectKeys(`artifacts/gitlab/${projectId}/${running.id}/`)).length).toBeGreaterThan(0);

    const developer = await makeUser(server, 'developer');
    await api.ProjectMembers.add(projectId, 40, { userId: developer.id });
    expect((await http(server, 'DELETE', `/api/v4/projects/${projectId}/pipelines/${pipeline.id}`, { token: developer.token })).status).toBe(403);

    await api.Pipelines.remove(projectId, pipeline.id);
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipeline.id}`, { token: server.root })).status).toBe(404);
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${running.id}`, { token: server.root })).status).toBe(404);
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${running.id}/trace`, { token: server.root })).status).toBe(404);
    expect(await objectKeys(`artifacts/gitlab/${projectId}/${running.id}/`)).toEqual([]);
    expect(await objectKeys(`traces/gitlab/${projectId}/${running.id}/`)).toEqual([]);
    expect((await api.Pipelines.all(projectId)).some((listed) => listed.id === pipeline.id)).toBe(false);
    expect((await api.Jobs.all(projectId)).some((listed) => listed.id === running.id)).toBe(false);
    expect(await http(server, 'DELETE', `/api/v4/projects/${projectId}/pipelines/${pipeline.id}`, { token: server.root })).toMatchObject({ status: 404, body: { message: '404 Not found' } });
  });
});
