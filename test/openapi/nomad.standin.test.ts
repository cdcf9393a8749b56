import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../support/nomad';
import { aclForThisFile } from '../support/nomad-acl';
import { DocumentedAnswers } from '../support/openapi';

/**
 * Every operation of `/openapi/nomad.json`, called on a live stack (a node, a service job with a
 * deployment, a parameterized batch job), answers as documented, errors included.
 */
const { root } = aclForThisFile();
let answers: DocumentedAnswers;

const node = testNode(1, { NodeResources: { Cpu: { CpuShares: 100_000 }, Memory: { MemoryMB: 100_000 }, Disk: { DiskMB: 100_000 } } });

/** Calls `path` as root (or with `headers`) and checks the answer against `template`'s documentation. */
async function call(method: string, template: string, path: string, body?: unknown, headers: Record<string, string> = root) {
  return answers.check(method, template, await api(method, path, body, headers));
}

beforeAll(async () => {
  await useFreshResources();
  const document = await api('GET', '/openapi/nomad.json');
  expect(document.status).toBe(200);
  answers = new DocumentedAnswers(document.body);
  expect((await api('PUT', '/v1/node/register', { Node: node }, root)).status).toBe(200);
});

describe('the Nomad document against live answers', () => {
  it('documents every answer of jobs, allocations, evaluations, deployments, nodes and status', async () => {
    const web = serviceJob('web', 2, 10, 10, { Update: { MaxParallel: 1 }, Meta: { team: 'a' } });
    expect((await call('POST', '/v1/jobs', '/v1/jobs', { Job: web })).status).toBe(200);
    expect((await call('POST', '/v1/jobs', '/v1/jobs', {})).status).toBe(400);
    expect((await call('POST', '/v1/jobs', '/v1/jobs', { Job: web }, {})).status).toBe(403);
    await drainEvalQueue();
    expect((await call('GET', '/v1/jobs', '/v1/jobs?meta=true')).body[0].Meta).toEqual({ team: 'a' });
    expect((await call('GET', '/v1/jobs', '/v1/jobs?filter=Status%20%3D%3D')).status).toBe(400);
    expect((await call('GET', '/v1/job/{job_id}', '/v1/job/web')).body.ID).toBe('web');
    expect((await call('GET', '/v1/job/{job_id}', '/v1/job/nope')).status).toBe(404);
    expect((await call('GET', '/v1/job/{job_id}/summary', '/v1/job/web/summary')).body.Summary.app).toBeDefined();
    const allocs = (await call('GET', '/v1/job/{job_id}/allocations', '/v1/job/web/allocations')).body;
    expect(allocs).toHaveLength(2);
    expect((await call('GET', '/v1/job/{job_id}/evaluations', '/v1/job/web/evaluations')).body.length).toBeGreaterThan(0);
    const deployment = (await call('GET', '/v1/job/{job_id}/deployment', '/v1/job/web/deployment')).body;
    expect(deployment.JobID).toBe('web');
    expect((await call('GET', '/v1/job/{job_id}/deployments', '/v1/job/web/deployments')).body).toHaveLength(1);

    const scaled = { ...web, TaskGroups: [{ ...web.TaskGroups[0], Count: 3 }] };
    const plan = await call('POST', '/v1/job/{job_id}/plan', '/v1/job/web/plan', { Job: scaled, Diff: true });
    expect(plan.body.Diff.Type).toBe('Edited');
    expect((await call('POST', '/v1/job/{job_id}/plan', '/v1/job/web/plan', { Job: { ...scaled, ID: 'other' } })).status).toBe(400);
    expect((await call('POST', '/v1/job/{job_id}', '/v1/job/web', { Job: { ...web, Meta: { team: 'b' } } })).status).toBe(200);
    expect((await call('POST', '/v1/job/{job_id}', '/v1/job/web', { Job: { ...web, ID: 'other' } })).status).toBe(400);
    await drainEvalQueue();
    const versions = await call('GET', '/v1/job/{job_id}/versions', '/v1/job/web/versions?diffs=true');
    expect(versions.body.Versions).toHaveLength(2);
    expect((await call('GET', '/v1/job/{job_id}/scale', '/v1/job/web/scale')).body.TaskGroups.app.Desired).toBe(2);
    // A running deployment blocks scaling, as in Nomad: fail it first.
    const active = (await call('GET', '/v1/job/{job_id}/deployment', '/v1/job/web/deployment')).body;
    expect((await call('POST', '/v1/deployment/fail/{deployment_id}', `/v1/deployment/fail/${active.ID}`, {})).status).toBe(200);
    const scale = await call('POST', '/v1/job/{job_id}/scale', '/v1/job/web/scale', { Count: 3, Target: { Group: 'app' }, Message: 'more' });
    expect(scale.status, scale.text).toBe(200);
    expect((await call('POST', '/v1/job/{job_id}/scale', '/v1/job/web/scale', { Count: 1.5, Target: { Group: 'app' } })).status).toBe(400);
    expect((await call('POST', '/v1/job/{job_id}/evaluate', '/v1/job/web/evaluate', {})).status).toBe(200);
    await drainEvalQueue();

    const batch = {
      ID: 'report',
      Type: 'batch',
      Datacenters: ['dc1'],
      ParameterizedJob: { Payload: 'optional', MetaOptional: ['day'] },
      TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: 'true' }, Resources: { CPU: 10, MemoryMB: 10 } }] }],
    };
    expect((await call('POST', '/v1/jobs', '/v1/jobs', { Job: batch })).status).toBe(200);
    const dispatched = await call('POST', '/v1/job/{job_id}/dispatch', '/v1/job/report/dispatch', { Meta: { day: 'mon' } });
    expect(dispatched.body.DispatchedJobID).toMatch(/^report\/dispatch-/);
    expect((await call('POST', '/v1/job/{job_id}/dispatch', '/v1/job/report/dispatch', { Meta: { nope: 'x' } })).status).toBe(400);
    expect((await call('POST', '/v1/job/{job_id}/dispatch', '/v1/job/web/dispatch', {})).status).toBe(400);
    await drainEvalQueue();

    const listed = (await call('GET', '/v1/allocations', '/v1/allocations?resources=true')).body;
    expect(listed.length).toBeGreaterThanOrEqual(4);
    // The typed query params as the handlers read them: an int32 page size, Go's booleans.
    const paged = await call('GET', '/v1/allocations', '/v1/allocations?per_page=1&reverse=true&task_states=f');
    expect([paged.body.length, paged.body[0].TaskStates, paged.headers.get('X-Nomad-NextToken')]).toEqual([1, null, expect.any(String)]);
    expect((await call('GET', '/v1/allocations', '/v1/allocations?per_page=x')).status).toBe(400);
    expect((await call('GET', '/v1/allocations', '/v1/allocations?resources=maybe')).status).toBe(400);
    const alloc = (await call('GET', '/v1/allocation/{alloc_id}', `/v1/allocation/${allocs[0].ID}`)).body;
    expect(alloc.Job.ID).toBe('web');
    expect((await call('GET', '/v1/allocation/{alloc_id}', `/v1/allocation/${'0'.repeat(8)}-0000-0000-0000-000000000000`)).status).toBe(404);
    const evals = (await call('GET', '/v1/evaluations', '/v1/evaluations?job=web')).body;
    expect((await call('GET', '/v1/evaluation/{eval_id}', `/v1/evaluation/${evals[0].ID}?related=true`)).body.ID).toBe(evals[0].ID);
    expect((await call('GET', '/v1/evaluation/{eval_id}', '/v1/evaluation/no-such-eval')).status).toBe(404);
    expect((await call('GET', '/v1/evaluation/{eval_id}/allocations', `/v1/evaluation/${alloc.EvalID}/allocations`)).body.length).toBeGreaterThan(0);
    const logs = (query: string, id = allocs[0].ID) => call('GET', '/v1/client/fs/logs/{alloc_id}', `/v1/client/fs/logs/${id}?${query}`);
    expect((await logs('task=server&type=stdout&plain=true')).text).toMatch(/not started yet/);
    const started = { ID: allocs[0].ID, ClientStatus: 'running', TaskStates: { server: { State: 'running', Failed: false, Restarts: 0, StartedAt: new Date().toISOString(), Events: [] } } };
    expect((await api('PUT', `/v1/node/${node.ID}/allocations`, { Allocs: [started] }, root)).status).toBe(200);
    const plain = await logs('task=server&type=stdout&plain=true');
    expect([plain.status, plain.text]).toEqual([200, '']);
    expect((await logs('task=server&type=stdout&origin=middle')).status).toBe(400);
    expect((await logs('task=nope&type=stdout')).status).toBe(404);
    expect((await logs('task=server&type=stdout', 'no-such-alloc')).status).toBe(404);
    expect((await call('POST', '/v1/allocation/{alloc_id}/stop', `/v1/allocation/${allocs[0].ID}/stop`)).body.EvalID).not.toBe('');

    const deployments = (await call('GET', '/v1/deployments', '/v1/deployments')).body;
    const latest = deployments.find((entry: { ID: string }) => entry.ID === active.ID);
    expect((await call('GET', '/v1/deployment/{deployment_id}', `/v1/deployment/${latest.ID}`)).body.ID).toBe(latest.ID);
    expect((await call('GET', '/v1/deployment/{deployment_id}', `/v1/deployment/${'1'.repeat(8)}-1111-1111-1111-111111111111`)).status).toBe(404);
    expect((await call('GET', '/v1/deployment/allocations/{deployment_id}', `/v1/deployment/allocations/${latest.ID}`)).status).toBe(200);
    const promoted = await call('POST', '/v1/deployment/promote/{deployment_id}', `/v1/deployment/promote/${latest.ID}`, { All: true });
    expect([200, 400]).toContain(promoted.status);
    expect((await call('POST', '/v1/deployment/fail/{deployment_id}', `/v1/deployment/fail/${latest.ID}`, {})).status).toBe(400);

    expect((await call('GET', '/v1/nodes', '/v1/nodes?resources=true&os=true')).body[0].ID).toBe(node.ID);
    expect((await call('GET', '/v1/node/{node_id}', `/v1/node/${node.ID}`)).body.Name).toBe('node-1');
    expect((await call('GET', '/v1/node/{node_id}', `/v1/node/${'2'.repeat(8)}-2222-2222-2222-222222222222`)).status).toBe(404);
    expect((await call('GET', '/v1/node/{node_id}/allocations', `/v1/node/${node.ID}/allocations`)).body.length).toBeGreaterThan(0);
    expect((await call('POST', '/v1/node/{node_id}/eligibility', `/v1/node/${node.ID}/eligibility`, { Eligibility: 'ineligible' })).status).toBe(200);
    expect((await call('POST', '/v1/node/{node_id}/eligibility', `/v1/node/${node.ID}/eligibility`, { Eligibility: 'maybe' })).status).toBe(400);
    expect((await call('POST', '/v1/node/{node_id}/drain', `/v1/node/${node.ID}/drain`, { DrainSpec: { Deadline: 60_000_000_000 } })).status).toBe(200);
    expect((await call('POST', '/v1/node/{node_id}/drain', `/v1/node/${node.ID}/drain`, { DrainSpec: null, MarkEligible: true })).status).toBe(200);

    expect((await call('DELETE', '/v1/job/{job_id}', '/v1/job/web')).body.EvalID).not.toBe('');
    expect((await call('DELETE', '/v1/job/{job_id}', '/v1/job/report?purge=true')).status).toBe(200);
    expect((await call('DELETE', '/v1/job/{job_id}', '/v1/job/nope')).body.EvalID).toBe(''); // a no-op, as in Nomad
    await drainEvalQueue();

    expect((await call('POST', '/v1/validate/job', '/v1/validate/job', { Job: { ...web, TaskGroups: [] } })).body.ValidationErrors.length).toBeGreaterThan(0);
    expect((await call('POST', '/v1/validate/job', '/v1/validate/job', { Job: web })).body.ValidationErrors).toBeNull();
    expect((await call('POST', '/v1/validate/job', '/v1/validate/job', {})).status).toBe(400);
    expect((await call('POST', '/v1/namespace/{name}', '/v1/namespace/apps', { Description: 'apps', Meta: { team: 'a' } })).text).toBe('');
    expect((await call('POST', '/v1/namespace/{name}', '/v1/namespace/apps', { Name: 'other' })).status).toBe(400);
    expect((await call('GET', '/v1/namespaces', '/v1/namespaces')).body.map((entry: { Name: string }) => entry.Name)).toEqual(['apps', 'default']);
    expect((await call('GET', '/v1/namespace/{name}', '/v1/namespace/apps')).body.Meta).toEqual({ team: 'a' });
    expect((await call('GET', '/v1/namespace/{name}', '/v1/namespace/nope')).status).toBe(404);
    expect((await call('GET', '/v1/acl/token/self', '/v1/acl/token/self')).body.Type).toBe('management');
    expect((await call('GET', '/v1/acl/token/self', '/v1/acl/token/self', undefined, { 'X-Nomad-Token': 'not-a-token' })).status).toBe(403);
    expect((await call('GET', '/v1/status/leader', '/v1/status/leader')).body).toMatch(/:\d+$/);
    expect((await call('GET', '/v1/status/peers', '/v1/status/peers')).body).toHaveLength(1);
    expect((await call('GET', '/v1/regions', '/v1/regions')).body).toHaveLength(1);
    expect((await call('GET', '/v1/agent/self', '/v1/agent/self')).body.config.Region).toBeTruthy();
    expect((await call('GET', '/v1/agent/self', '/v1/agent/self', undefined, {})).status).toBe(403);
  });

  it('documents every answer of ACL policies, tokens and bootstrap', async () => {
    const rules = 'namespace "default" { policy = "read" }';
    expect((await call('POST', '/v1/acl/policy/{name}', '/v1/acl/policy/readers', { Name: 'readers', Description: 'read', Rules: rules })).text).toBe('');
    expect((await call('POST', '/v1/acl/policy/{name}', '/v1/acl/policy/readers', { Name: 'other', Rules: rules })).status).toBe(400);
    expect((await call('POST', '/v1/acl/policy/{name}', '/v1/acl/policy/readers', { Name: 'readers', Rules: 'namespace {' })).status).toBe(400);
    expect((await call('GET', '/v1/acl/policies', '/v1/acl/policies')).body.map((policy: { Name: string }) => policy.Name)).toEqual(['readers']);
    expect((await call('GET', '/v1/acl/policy/{name}', '/v1/acl/policy/readers')).body.Rules).toBe(rules);
    expect((await call('GET', '/v1/acl/policy/{name}', '/v1/acl/policy/nope')).status).toBe(404);

    const created = await call('POST', '/v1/acl/token', '/v1/acl/token', { Name: 'reader', Type: 'client', Policies: ['readers'] });
    const { AccessorID: accessor, SecretID: secret } = created.body;
    expect(secret).not.toBe('');
    expect((await call('POST', '/v1/acl/token', '/v1/acl/token', { Name: 'reader' }, { 'X-Nomad-Token': secret })).status).toBe(403);
    expect((await call('GET', '/v1/acl/tokens', '/v1/acl/tokens')).body.map((token: { AccessorID: string }) => token.AccessorID)).toContain(accessor);
    expect((await call('GET', '/v1/acl/token/{accessor_id}', `/v1/acl/token/${accessor}`, undefined, { 'X-Nomad-Token': secret })).body.SecretID).toBe('');
    expect((await call('GET', '/v1/acl/token/{accessor_id}', `/v1/acl/token/${'3'.repeat(8)}-3333-3333-3333-333333333333`)).status).toBe(404);
    expect((await call('GET', '/v1/acl/policies', '/v1/acl/policies', undefined, { 'X-Nomad-Token': secret })).body).toHaveLength(1);
    expect((await call('POST', '/v1/acl/token/{accessor_id}', `/v1/acl/token/${accessor}`, { Name: 'renamed', Type: 'client', Policies: ['readers'] })).body.Name).toBe('renamed');
    expect((await call('POST', '/v1/acl/token/{accessor_id}', `/v1/acl/token/${accessor}`, { AccessorID: 'other', Name: 'x' })).status).toBe(400);
    expect((await call('DELETE', '/v1/acl/token/{accessor_id}', `/v1/acl/token/${accessor}`)).text).toBe('');
    expect((await call('DELETE', '/v1/acl/token/{accessor_id}', `/v1/acl/token/${accessor}`)).text).toBe(`Cannot delete nonexistent tokens: ${accessor}`);
    expect((await call('DELETE', '/v1/acl/policy/{name}', '/v1/acl/policy/readers')).text).toBe('');
    expect((await call('DELETE', '/v1/acl/policy/{name}', '/v1/acl/policy/readers', undefined, {})).status).toBe(403);

    expect((await call('POST', '/v1/acl/bootstrap', '/v1/acl/bootstrap', {})).text).toBe('ACL bootstrap already done (reset index: 0)');
    // Without a configured bootstrap token the first call makes one, and only the first.
    const configured = process.env.BOOTSTRAP_TOKEN_SHA256;
    delete process.env.BOOTSTRAP_TOKEN_SHA256;
    try {
      const first = await call('POST', '/v1/acl/bootstrap', '/v1/acl/bootstrap', undefined, {});
      expect([first.status, first.body.Type, first.body.SecretID.length > 0]).toEqual([200, 'management', true]);
      expect((await call('POST', '/v1/acl/bootstrap', '/v1/acl/bootstrap', undefined, {})).status).toBe(400);
    } finally {
      process.env.BOOTSTRAP_TOKEN_SHA256 = configured;
    }
  });

  it('documents every answer of variables, the check-and-set conflict included', async () => {
    const written = await call('POST', '/v1/var/{var_path}', '/v1/var/app/db', { Items: { user: 'u', password: 'p' } });
    expect([written.body.Path, written.body.Items]).toEqual(['app/db', { user: 'u', password: 'p' }]);
    expect((await call('POST', '/v1/var/{var_path}', '/v1/var/app/db', { Items: {} })).status).toBe(400);
    const conflict = await call('POST', '/v1/var/{var_path}', '/v1/var/app/db?cas=0', { Items: { user: 'v' } });
    expect([conflict.status, conflict.body.Items]).toEqual([409, { user: 'u', password: 'p' }]);
    const read = await call('GET', '/v1/var/{var_path}', '/v1/var/app/db');
    expect(read.body.Items).toEqual({ user: 'u', password: 'p' });
    expect((await call('POST', '/v1/var/{var_path}', `/v1/var/app/db?cas=${read.body.ModifyIndex}`, { Items: { user: 'w' } })).status).toBe(200);
    expect((await call('GET', '/v1/var/{var_path}', '/v1/var/app/nope')).status).toBe(404);
    expect((await call('GET', '/v1/vars', '/v1/vars?prefix=app')).body.map((entry: { Path: string }) => entry.Path)).toEqual(['app/db']);
    expect((await call('GET', '/v1/vars', '/v1/vars', undefined, {})).body).toEqual([]); // filtered to what the token may read
    expect((await call('DELETE', '/v1/var/{var_path}', '/v1/var/app/db?cas=1')).status).toBe(409);
    expect((await call('DELETE', '/v1/var/{var_path}', '/v1/var/app/db?cas=x')).status).toBe(400);
    expect((await call('DELETE', '/v1/var/{var_path}', '/v1/var/app/db')).status).toBe(204);
    expect((await call('GET', '/v1/var/{var_path}', '/v1/var/app/db', undefined, {})).status).toBe(403);
  });

  it('documents every answer of services, search, parsing, health and metrics', async () => {
    const agentNode = { ...testNode(5), SecretID: 'secret-5' };
    const asNode = { ...root, 'X-Nomad-Node-ID': agentNode.ID, 'X-Nomad-Node-Secret': agentNode.SecretID };
    expect((await api('PUT', '/v1/node/register', { Node: agentNode }, root)).status).toBe(200);
    const api1 = serviceJob('api', 1, 10, 10, { Constraints: [{ LTarget: '${node.unique.id}', RTarget: agentNode.ID, Operand: '=' }] });
    expect((await api('POST', '/v1/jobs', { Job: api1 }, root)).status).toBe(200);
    await drainEvalQueue();
    const [placed] = (await api('GET', '/v1/job/api/allocations', undefined, root)).body;
    const registration = { ID: `_nomad-task-${placed.ID}-server-api-http`, ServiceName: 'api', Namespace: 'default', NodeID: agentNode.ID, Datacenter: 'dc1', JobID: 'api', AllocID: placed.ID, Tags: ['b', 'a'], Address: '10.0.0.5', Port: 8080 };
    expect((await api('POST', '/v1/client/agent/services', { Upsert: [registration] }, asNode)).status).toBe(200);
    expect((await call('GET', '/v1/services', '/v1/services')).body).toEqual([{ Namespace: 'default', Services: [{ ServiceName: 'api', Tags: ['a', 'b'] }] }]);
    expect((await call('GET', '/v1/services', '/v1/services', undefined, {})).status).toBe(403);
    expect((await call('GET', '/v1/service/{service_name}', '/v1/service/api')).body[0].Port).toBe(8080);
    expect((await call('GET', '/v1/service/{service_name}', '/v1/service/nope')).body).toEqual([]);

    expect((await call('POST', '/v1/search', '/v1/search', { Prefix: 'ap', Context: 'jobs' })).body.Matches.jobs).toEqual(['api']);
    expect((await call('POST', '/v1/search', '/v1/search', { Prefix: 'a', Context: 'all' })).body.Matches.jobs).toContain('api');
    expect((await call('POST', '/v1/search', '/v1/search', { Prefix: 'a', Context: 'bogus' })).status).toBe(400);
    expect((await call('POST', '/v1/search', '/v1/search', { Prefix: 'a', Context: 'jobs' }, {})).status).toBe(403);
    const fuzzy = await call('POST', '/v1/search/fuzzy', '/v1/search/fuzzy', { Text: 'serv', Context: 'all' });
    expect(fuzzy.body.Matches.tasks[0]).toMatchObject({ ID: 'server', Scope: ['default', 'api', 'app'] });
    expect((await call('POST', '/v1/search/fuzzy', '/v1/search/fuzzy', { Text: 's', Context: 'all' })).status).toBe(400);
    expect((await call('POST', '/v1/search/fuzzy', '/v1/search/fuzzy', { Text: 'serv', Context: 'jobs' }, {})).status).toBe(403);

    const hcl = 'job "parsed" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config { command = "true" }\n    }\n  }\n}\n';
    expect((await call('POST', '/v1/jobs/parse', '/v1/jobs/parse', { JobHCL: hcl })).body.ID).toBe('parsed');
    expect((await call('POST', '/v1/jobs/parse', '/v1/jobs/parse', { JobHCL: hcl, Canonicalize: true })).body.Type).toBe('service');
    expect((await call('POST', '/v1/jobs/parse', '/v1/jobs/parse', { JobHCL: 'job "x" {' })).status).toBe(400);
    expect((await call('POST', '/v1/jobs/parse', '/v1/jobs/parse', { JobHCL: hcl }, {})).status).toBe(403);

    expect((await call('GET', '/v1/agent/health', '/v1/agent/health')).body).toEqual({ server: { ok: true, message: 'ok' } });
    expect((await call('GET', '/v1/agent/health', '/v1/agent/health?type=client')).status).toBe(500);
    expect((await call('GET', '/v1/metrics', '/v1/metrics')).body.Gauges.length).toBeGreaterThan(0);
    expect((await call('GET', '/v1/metrics', '/v1/metrics?format=prometheus')).text).toMatch(/^# (HELP|TYPE) /m);
  });

  it('calls every documented operation (those that read a node through its agent: nomad-client.standin.test.ts)', () => {
    expect(answers.unexercised({ except: 'Client' })).toEqual([]);
  });
});
