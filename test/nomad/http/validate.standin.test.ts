import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, serviceJob } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';
import { CONTRACT, contractErrors } from '../../support/nomad-contract';

/** `PUT /v1/validate/job`: Nomad's JobValidateResponse, nothing written. */
const { root } = aclForThisFile();
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);

beforeAll(async () => {
  await useFreshResources();
});

describe('PUT /v1/validate/job', () => {
  it('answers a valid job with no errors and writes nothing', async () => {
    const result = await call('PUT', '/v1/validate/job', { Job: serviceJob('web', 1) });
    expect(result.status, result.text).toBe(200);
    expect(result.body).toEqual({ DriverConfigValidated: true, ValidationErrors: null, Error: '', Warnings: '' });
    if (CONTRACT) expect(contractErrors('POST', '/validate/job', result)).toEqual([]);
    expect((await call('GET', '/v1/job/web')).status).toBe(404);
  });

  it('lists the top-level validation errors and their multierror text with a 200', async () => {
    const job = { ...serviceJob('web', 1), Type: 'foo', Priority: 200, TaskGroups: [{ Name: 'cache', Tasks: [] }] };
    const result = await call('POST', '/v1/validate/job', { Job: job });
    expect(result.status, result.text).toBe(200);
    expect(result.body.DriverConfigValidated).toBe(true);
    expect(result.body.ValidationErrors[0]).toBe('Invalid job type: "foo"');
    expect(result.body.ValidationErrors).toContain('job priority must be between [1, 100]');
    expect(result.body.ValidationErrors.some((error: string) => error.startsWith('Task group cache validation failed: 1 error occurred:\n\t* Missing tasks for task group'))).toBe(true);
    expect(result.body.Error).toBe(`${result.body.ValidationErrors.length} errors occurred:\n\t${result.body.ValidationErrors.map((error: string) => `* ${error}`).join('\n\t')}\n\n`);
    const pool = await call('PUT', '/v1/validate/job', { Job: { ...serviceJob('web', 1), NodePool: 'gpu' } });
    expect(pool.body.ValidationErrors).toEqual(['job "web" is in nonexistent node pool "gpu"']);
    expect(pool.body.Error).toBe('1 error occurred:\n\t* job "web" is in nonexistent node pool "gpu"\n\n');
  });

  it('refuses a body without a job, other methods, and tokens without read-job in the job’s namespace', async () => {
    const missing = await call('PUT', '/v1/validate/job', {});
    expect([missing.status, missing.text]).toEqual([400, 'Job must be specified']);
    expect((await call('PUT', '/v1/validate/job', 'not json')).status).toBe(400);
    expect((await call('GET', '/v1/validate/job')).status).toBe(405);
    const reader = await clientToken(root['X-Nomad-Token'], 'apps-reader', 'namespace "apps" { policy = "read" }');
    const asReader = (job: unknown) => api('PUT', '/v1/validate/job', { Job: job }, { 'X-Nomad-Token': reader });
    expect((await asReader(serviceJob('web', 1))).status).toBe(403);
    expect((await asReader({ ...serviceJob('web', 1), Namespace: 'apps' })).status).toBe(200);
  });
});
