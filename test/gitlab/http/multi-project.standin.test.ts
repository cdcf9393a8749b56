import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, projectWithCi, startGitLab, type GitLabServer } from '../../support/gitlab';

/** Bridges to other projects: the downstream pipeline, and the failures a bridge reports. */
let server: GitLabServer;

beforeAll(async () => {
  server = await startGitLab();
});
afterAll(async () => server.stop());

describe('multi-project pipelines', () => {
  it('creates the downstream pipeline in the other project and succeeds', async () => {
    const downstream = (await projectWithCi(server, 'downstream', 'deploy-it: { script: x }')).id;
    const upstream = (await projectWithCi(server, 'upstream', 'variables: { FROM_UP: "1" }\nship: { trigger: { project: root/downstream, branch: main } }\nmissing: { trigger: root/nowhere }')).id;
    const pipeline = await http(server, 'POST', `/api/v4/projects/${upstream}/pipeline`, { token: server.root, json: { ref: 'main' } });
    const bridges = await http(server, 'GET', `/api/v4/projects/${upstream}/pipelines/${pipeline.body.id}/bridges`, { token: server.root });
    const byName = Object.fromEntries(bridges.body.map((bridge: { name: string }) => [bridge.name, bridge]));
    expect(byName.ship).toMatchObject({ status: 'success', downstream_pipeline: { project_id: downstream, source: 'pipeline', ref: 'main' } });
    expect(byName.missing).toMatchObject({ status: 'failed', failure_reason: 'downstream_bridge_project_not_found', downstream_pipeline: null });
    const downstreamPipelines = await http(server, 'GET', `/api/v4/projects/${downstream}/pipelines`, { token: server.root });
    expect(downstreamPipelines.body).toHaveLength(1);
    expect(downstreamPipelines.headers.get('x-total')).toBe('1');
    expect((await http(server, 'GET', `/api/v4/projects/${upstream}/pipelines/${pipeline.body.id}`, { token: server.root })).body.status).toBe('failed');
  });

  it('fails the bridge when the downstream configuration is invalid', async () => {
    await projectWithCi(server, 'broken-downstream', 'job: { script: x, stage: nope }');
    const upstream = (await projectWithCi(server, 'upstream-2', 'ship: { trigger: root/broken-downstream, allow_failure: true }\nafter: { stage: deploy, script: x }')).id;
    const pipeline = await http(server, 'POST', `/api/v4/projects/${upstream}/pipeline`, { token: server.root, json: { ref: 'main' } });
    const [bridge] = (await http(server, 'GET', `/api/v4/projects/${upstream}/pipelines/${pipeline.body.id}/bridges`, { token: server.root })).body;
    expect(bridge).toMatchObject({ status: 'failed', failure_reason: 'downstream_pipeline_creation_failed', allow_failure: true });
    const jobs = await http(server, 'GET', `/api/v4/projects/${upstream}/pipelines/${pipeline.body.id}/jobs`, { token: server.root });
    expect(jobs.body[0]).toMatchObject({ name: 'after', status: 'pending' });
  });
});

describe('nested child pipelines', () => {
  it('stops a pipeline that triggers itself at GitLab’s depth limit', async () => {
    const id = (await projectWithCi(server, 'recursive', 'again: { trigger: { include: .gitlab-ci.yml } }')).id;
    const pipeline = await http(server, 'POST', `/api/v4/projects/${id}/pipeline`, { token: server.root, json: { ref: 'main' } });
    expect(pipeline.status).toBe(201);
    const all = await http(server, 'GET', `/api/v4/projects/${id}/pipelines`, { token: server.root });
    expect(all.body).toHaveLength(3);
    const deepest = all.body[0];
    const [bridge] = (await http(server, 'GET', `/api/v4/projects/${id}/pipelines/${deepest.id}/bridges`, { token: server.root })).body;
    expect(bridge).toMatchObject({ status: 'failed', failure_reason: 'reached_max_descendant_pipelines_depth' });
  });
});
