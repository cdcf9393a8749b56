import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { CONTRACT, CONTRACT_REQUIRED, contractErrors } from '../../support/nomad-contract';
import { aclForThisFile } from '../../support/nomad-acl';

/** Responses of the seed's endpoints, answers and errors, checked against Nomad's OpenAPI document. */
const { root } = aclForThisFile();

async function conforms(method: string, url: string, template: string, body?: unknown) {
  return answers(200, method, url, template, body);
}

async function answers(status: number, method: string, url: string, template: string, body?: unknown, headers: Record<string, string> = root) {
  const response = await api(method, url, body, headers);
  expect(response.status, `${method} ${url}: ${response.text}`).toBe(status);
  expect(contractErrors(method, template, response), `${method} ${url}`).toEqual([]);
  return response;
}

beforeAll(async () => {
  await useFreshResources();
  await api('PUT', '/v1/node/register', { Node: testNode(1) }, root);
});

// Runs wherever the team's copy of the contract sits beside the checkout (see nomad-contract.ts),
// and always in CI, where a missing copy is a failure.
it.runIf(CONTRACT_REQUIRED)('finds the Nomad OpenAPI document in CI', () => {
  expect(CONTRACT, 'CI must have ../shared/contracts/nomad-openapi.yaml (or NOMAD_OPENAPI_CONTRACT)').toBeDefined();
});

describe.skipIf(!CONTRACT && !CONTRACT_REQUIRED)('Nomad OpenAPI contract', () => {
  it('job registration, reads and lists', async () => {
    await conforms('POST', '/v1/jobs', '/jobs', { Job: serviceJob('web', 1, 100, 64, { Meta: { a: 'b' } }) });
    await conforms('POST', '/v1/job/web', '/job/{jobName}', { Job: serviceJob('web', 2, 100, 64) });
    await drainEvalQueue();
    await conforms('GET', '/v1/jobs?meta=true', '/jobs');
    await conforms('GET', '/v1/job/web', '/job/{jobName}');
    await conforms('GET', '/v1/job/web/summary', '/job/{jobName}/summary');
    await conforms('GET', '/v1/job/web/versions?diffs=true', '/job/{jobName}/versions');
    await conforms('GET', '/v1/job/web/allocations', '/job/{jobName}/allocations');
    await conforms('GET', '/v1/job/web/evaluations', '/job/{jobName}/evaluations');
    await conforms('GET', '/v1/job/web/deployments', '/job/{jobName}/deployments');
    await conforms('GET', '/v1/job/web/deployment', '/job/{jobName}/deployment');
  });

  it('job actions', async () => {
    await conforms('POST', '/v1/job/web/plan', '/job/{jobName}/plan', { Job: serviceJob('web', 3, 100, 64), Diff: true });
    await conforms('POST', '/v1/job/web/evaluate', '/job/{jobName}/evaluate', { JobID: 'web' });
    await conforms('POST', '/v1/job/web/revert', '/job/{jobName}/revert', { JobID: 'web', JobVersion: 0 });
    await conforms('POST', '/v1/job/web/stable', '/job/{jobName}/stable', { JobID: 'web', JobVersion: 0, Stable: true });
    await conforms('GET', '/v1/job/web/scale', '/job/{jobName}/scale');
    await conforms('POST', '/v1/jobs/parse', '/jobs/parse', { JobHCL: 'job "x" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n    }\n  }\n}', Canonicalize: true });
    const template = { ID: 'tpl', Type: 'batch', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec' }] }] };
    await conforms('POST', '/v1/jobs', '/jobs', { Job: { ...template, ParameterizedJob: {} } });
    await conforms('POST', '/v1/job/tpl/dispatch', '/job/{jobName}/dispatch', { Meta: {} });
    await conforms('POST', '/v1/jobs', '/jobs', { Job: { ...template, ID: 'cron', Periodic: { Spec: '@daily' } } });
    await conforms('POST', '/v1/job/cron/periodic/force', '/job/{jobName}/periodic/force');
    await conforms('DELETE', '/v1/job/cron', '/job/{jobName}');
  });

  it('ACLs and namespaces', async () => {
    await api('PUT', '/v1/acl/policy/readers', { Name: 'readers', Rules: 'namespace "*" { policy = "read" }' }, root);
    await conforms('GET', '/v1/acl/policies', '/acl/policies');
    await conforms('GET', '/v1/acl/policy/readers', '/acl/policy/{policyName}');
    await conforms('GET', '/v1/acl/token/self', '/acl/token');
    await conforms('GET', '/v1/acl/tokens', '/acl/tokens');
    await api('PUT', '/v1/namespace/apps', { Description: 'apps' }, root);
    await conforms('GET', '/v1/namespaces', '/namespaces');
    await conforms('GET', '/v1/namespace/apps', '/namespace/{namespaceName}');
  });

  it('variables', async () => {
    const put = await conforms('PUT', '/v1/var/app/config', '/var/{path}', { Items: { user: 'admin' } });
    await conforms('POST', `/v1/var/app/config?cas=${put.body.ModifyIndex}`, '/var/{path}', { Items: { user: 'root' } });
    await conforms('PUT', '/v1/var/app/lock?lock-acquire', '/var/{path}', { Items: { a: 'b' } });
    await conforms('GET', '/v1/var/app/config', '/var/{path}');
    await conforms('GET', '/v1/vars?prefix=app/', '/vars');
    await conforms('GET', '/v1/vars?namespace=*&per_page=1', '/vars');
    const missing = await answers(404, 'GET', '/v1/var/app/none', '/var/{path}');
    expect(missing.text).toBe('variable not found');
    const reserved = await answers(400, 'PUT', '/v1/var/nomad', '/var/{path}', { Items: { a: 'b' } });
    expect(reserved.text).toMatch(/^"nomad" is a reserved top-level directory path/);
    await answers(403, 'GET', '/v1/vars', '/vars', undefined, { 'X-Nomad-Token': 'not-a-token' });
  });

  it('null answers only where Nomad answers a nil object', async () => {
    await conforms('POST', '/v1/jobs', '/jobs', { Job: { ID: 'once', Type: 'batch', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec' }] }] } });
    const none = await conforms('GET', '/v1/job/once/deployment', '/job/{jobName}/deployment');
    expect(none.text).toBe('null');
    const list = await conforms('GET', '/v1/job/once/deployments', '/job/{jobName}/deployments');
    expect(list.body).toEqual([]);
    // The check itself refuses a null list, so the two answers above are not passing by default.
    expect(contractErrors('GET', '/job/{jobName}/deployments', { ...list, text: 'null', body: null })).toEqual(['null where the contract wants array']);
  });

  it("error answers: a declared status (or 404) with Nomad's plain-text body", async () => {
    const missing = await answers(404, 'GET', '/v1/job/nope', '/job/{jobName}');
    expect(missing.text).toBe('job not found');
    const bad = await answers(400, 'POST', '/v1/jobs', '/jobs', { Job: { ID: 'x', TaskGroups: 'no' } });
    expect(bad.text.length).toBeGreaterThan(0);
    const denied = await answers(403, 'GET', '/v1/jobs', '/jobs', undefined, { 'X-Nomad-Token': 'not-a-token' });
    expect(denied.text).toBe('ACL token not found');
    const named = await answers(400, 'POST', '/v1/acl/policy/readers', '/acl/policy/{policyName}', { Name: 'other', Rules: '' });
    expect(named.text).toBe('ACL policy name does not match request path');
    const namespace = await answers(404, 'GET', '/v1/namespace/none', '/namespace/{namespaceName}');
    expect(namespace.text).toBe('Namespace not found');
    // And refuses a JSON error body, which Nomad never sends.
    expect(contractErrors('GET', '/job/{jobName}', { ...missing, body: { message: 'x' }, text: '{"message":"x"}' })).toContain('error body is JSON, Nomad\'s are plain text: {"message":"x"}');
  });
});
