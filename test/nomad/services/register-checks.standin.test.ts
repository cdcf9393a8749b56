import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, serviceJob } from '../../support/nomad';

beforeAll(async () => {
  await useFreshResources();
});

describe('register', () => {
  it('keeps the version when the spec is unchanged but still creates an evaluation', async () => {
    const first = await api('POST', '/v1/jobs', { Job: serviceJob('same', 1) });
    const second = await api('POST', '/v1/job/same', { Job: serviceJob('same', 1) });
    expect(second.body.EvalID).not.toBe(first.body.EvalID);
    expect(second.body.JobModifyIndex).toBe(first.body.JobModifyIndex);
    expect((await api('GET', '/v1/job/same')).body.Version).toBe(0);
    const changed = await api('PUT', '/v1/job/same', { Job: serviceJob('same', 1, 500, 256, { Meta: { owner: 'a' } }) });
    expect(changed.body.JobModifyIndex).toBeGreaterThan(first.body.JobModifyIndex);
    expect((await api('GET', '/v1/job/same')).body).toMatchObject({ Version: 1, Meta: { owner: 'a' } });
  });

  it('enforces the job modify index (check-and-set)', async () => {
    const created = await api('POST', '/v1/jobs', { Job: serviceJob('cas', 1), EnforceIndex: true, JobModifyIndex: 0 });
    expect(created.status).toBe(200);
    const exists = await api('POST', '/v1/jobs', { Job: serviceJob('cas', 2), EnforceIndex: true, JobModifyIndex: 0 });
    expect(exists.status).toBe(409);
    expect(exists.text).toBe('Enforcing job modify index 0: job already exists');
    const stale = await api('POST', '/v1/jobs', { Job: serviceJob('cas', 2), EnforceIndex: true, JobModifyIndex: 5 });
    expect(stale.status).toBe(409);
    expect(stale.text).toBe(`Enforcing job modify index 5: job exists with conflicting job modify index: ${created.body.JobModifyIndex}`);
    const right = await api('POST', '/v1/jobs', { Job: serviceJob('cas', 2), EnforceIndex: true, JobModifyIndex: created.body.JobModifyIndex });
    expect(right.status).toBe(200);
    expect((await api('GET', '/v1/job/cas')).body.Version).toBe(1);
    const missing = await api('POST', '/v1/jobs', { Job: serviceJob('nope', 1), EnforceIndex: true, JobModifyIndex: 7 });
    expect(missing.text).toBe('Enforcing job modify index 7: job does not exist');
  });

  it('answers bad input in plain text with a 4xx', async () => {
    const empty = await api('POST', '/v1/jobs', '');
    expect([empty.status, empty.text]).toEqual([400, 'Request body is empty']);
    expect(empty.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect((await api('POST', '/v1/jobs', '{nope')).status).toBe(400);
    expect((await api('POST', '/v1/jobs', {})).text).toBe('Job must be specified');
    expect((await api('POST', '/v1/jobs', { Job: {} })).text).toBe("Job ID hasn't been provided");
    expect((await api('POST', '/v1/job/other', { Job: serviceJob('mine', 1) })).text).toBe('Job ID does not match name');
    const invalid = await api('POST', '/v1/jobs', { Job: { ID: 'x', TaskGroups: [] } });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toBe('1 error occurred:\n\t* Missing job task groups\n\n');
    const retype = await api('POST', '/v1/jobs', { Job: serviceJob('same', 1, 500, 256, { Type: 'batch' }) });
    expect(retype.text).toBe('cannot update job from type "service" to "batch"');
    expect((await api('GET', '/v1/jobs', undefined)).status).toBe(200);
    expect((await api('PATCH', '/v1/jobs')).status).toBe(405);
    expect((await api('GET', '/v1/no/such/path')).status).toBe(404);
  });
});
