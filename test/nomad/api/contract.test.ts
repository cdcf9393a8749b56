import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { CONTRACT, contractErrors } from '../../support/nomad-contract';
import { aclForThisFile } from '../../support/nomad-acl';

/** Responses of the seed's endpoints, checked against Nomad's OpenAPI document. */
const { root } = aclForThisFile();

async function conforms(method: string, url: string, template: string, body?: unknown) {
  const response = await api(method, url, body, root);
  expect(response.status, `${method} ${url}: ${response.text}`).toBe(200);
  expect(contractErrors(method, template, response.body), `${method} ${url}`).toEqual([]);
  return response;
}

beforeAll(async () => {
  await useFreshResources();
  await api('PUT', '/v1/node/register', { Node: testNode(1) }, root);
});

// Runs wherever the team's copy of the contract sits beside the checkout (see nomad-contract.ts).
describe.skipIf(!CONTRACT)('Nomad OpenAPI contract', () => {
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
    await api('PUT', '/v1/acl/policy/readers', { Rules: 'namespace "*" { policy = "read" }' }, root);
    await conforms('GET', '/v1/acl/policies', '/acl/policies');
    await conforms('GET', '/v1/acl/policy/readers', '/acl/policy/{policyName}');
    await conforms('GET', '/v1/acl/token/self', '/acl/token');
    await conforms('GET', '/v1/acl/tokens', '/acl/tokens');
    await api('PUT', '/v1/namespace/apps', { Description: 'apps' }, root);
    await conforms('GET', '/v1/namespaces', '/namespaces');
    await conforms('GET', '/v1/namespace/apps', '/namespace/{namespaceName}');
  });
});
