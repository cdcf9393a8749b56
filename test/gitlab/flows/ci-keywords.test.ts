import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishJob, http, makeRunner, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/**
 * The keywords that change how jobs run, end to end against the local stand-ins: resource groups
 * (one job at a time per group, across pipelines), parallel jobs and their CI_NODE_* variables,
 * environments and deployments.
 */
let server: GitLabServer;
let runner: { id: number; token: string };

beforeAll(async () => {
  server = await startGitLab();
  runner = await makeRunner(server);
});
afterAll(async () => server.stop());

const api = (path: string) => `/api/v4${path}`;

async function jobsOf(projectId: number, pipelineId: number): Promise<Record<string, string>> {
  const jobs = await http(server, 'GET', api(`/projects/${projectId}/pipelines/${pipelineId}/jobs?per_page=100`), { token: server.root });
  return Object.fromEntries((jobs.body as { name: string; status: string }[]).map((job) => [job.name, job.status]));
}

async function take(): Promise<{ id: number; token: string; name: string; variables: { key: string; value: string }[] }> {
  const response = await requestJob(server, runner.token);
  expect(response.status).toBe(201);
  return { id: response.body.id, token: response.body.token, name: response.body.job_info.name, variables: response.body.variables };
}

describe('resource_group', () => {
  const CI = `
deploy:
  script: [./deploy.sh]
  resource_group: production
`;
  let projectId: number;

  it('runs one job of a group at a time, across pipelines, in the order they waited', async () => {
    projectId = (await projectWithCi(server, 'deployer', CI)).id;
    const first = await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    const second = await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root });
    expect(first.status).toBe(201);
    expect(await jobsOf(projectId, first.body.id)).toEqual({ deploy: 'pending' });
    expect(await jobsOf(projectId, second.body.id)).toEqual({ deploy: 'waiting_for_resource' });
    expect((await http(server, 'GET', api(`/projects/${projectId}/pipelines/${second.body.id}`), { token: server.root })).body.status).toBe('waiting_for_resource');

    const running = await take();
    expect((await requestJob(server, runner.token)).status).toBe(204);
    const upcoming = await http(server, 'GET', api(`/projects/${projectId}/resource_groups/production/upcoming_jobs`), { token: server.root });
    expect(upcoming.body.map((job: { pipeline: { id: number } }) => job.pipeline.id)).toEqual([second.body.id]);

    expect((await finishJob(server, running.id, running.token, 'success')).status).toBe(200);
    expect(await jobsOf(projectId, second.body.id)).toEqual({ deploy: 'pending' });
    const next = await take();
    expect(next.name).toBe('deploy');
    await finishJob(server, next.id, next.token, 'failed');
    expect(await jobsOf(projectId, second.body.id)).toEqual({ deploy: 'failed' });
  });

  it('lists the group and changes its process mode', async () => {
    const groups = await http(server, 'GET', api(`/projects/${projectId}/resource_groups`), { token: server.root });
    expect(groups.body).toEqual([{ id: expect.any(Number), key: 'production', process_mode: 'unordered', created_at: expect.any(String), updated_at: expect.any(String) }]);
    const changed = await http(server, 'PUT', api(`/projects/${projectId}/resource_groups/production`), { token: server.root, json: { process_mode: 'newest_first' } });
    expect(changed.body.process_mode).toBe('newest_first');
    const invalid = await http(server, 'PUT', api(`/projects/${projectId}/resource_groups/production`), { token: server.root, json: { process_mode: 'random' } });
    expect(invalid.status).toBe(400);
    expect((await http(server, 'GET', api(`/projects/${projectId}/resource_groups/nope`), { token: server.root })).status).toBe(404);
  });

  it('hands the resource to the newest pipeline first in newest_first mode', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await http(server, 'POST', api(`/projects/${projectId}/pipeline?ref=main`), { token: server.root })).body.id);
    const holder = await take();
    expect(await jobsOf(projectId, ids[0])).toEqual({ deploy: 'running' });
    await finishJob(server, holder.id, holder.token, 'success');
    expect(await jobsOf(projectId, ids[2])).toEqual({ deploy: 'pending' });
    expect(await jobsOf(projectId, ids[1])).toEqual({ deploy: 'waiting_for_resource' });
    const cancel = await http(server, 'POST', api(`/projects/${projectId}/pipelines/${ids[1]}/cancel`), { token: server.root });
    expect(cancel.status).toBe(200);
    const last = await take();
    await finishJob(server, last.id, last.token, 'success');
    expect((await requestJob(server, runner.token)).status).toBe(204);
  });
});
