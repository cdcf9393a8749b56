import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { readJob } from '../../../shared/nomad/store/jobs';
import { jobKey } from '../../../shared/nomad/store/keys';
import { useFreshResources } from '../../support/resources';
import { api, batchJob, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';

/**
 * `GET /v1/job/:id` serves the stored spec text with the state spliced in (wire/job.ts): its
 * answer is, byte for byte, the job as every other reader of the item builds it, for each way a
 * job's status is derived, and for job items written before StatusFollowsStop was stored.
 */
// Namespace, job ID (some with `/`, as dispatched children have), the status its GET must show.
const jobs: [string, string, string][] = [
  ['default', 'read-running', 'running'],
  ['default', 'read-blocked', 'pending'],
  ['default', 'read-stopped', 'dead'],
  ['default', 'read-system', 'running'],
  ['default', 'read-periodic', 'running'],
  ['default', 'read-param', 'running'],
  ['default', 'read-param-stopped', 'dead'],
  ['apps', 'read/in-apps', 'running'],
];

const path = (namespace: string, jobId: string, query = '') =>
  `/v1/job/${encodeURIComponent(jobId)}?namespace=${namespace}${query ? `&${query}` : ''}`;

beforeAll(async () => {
  await useFreshResources();
  expect((await api('PUT', '/v1/node/register', { Node: testNode(1) })).status).toBe(200);
  expect((await api('PUT', '/v1/namespace/apps', { Description: 'apps' })).status).toBe(200);
  const register = async (job: Record<string, unknown>) => expect((await api('POST', '/v1/jobs', { Job: job })).status).toBe(200);
  await register(serviceJob('read-running', 1, 100, 64));
  await register(batchJob('read-blocked', { TaskGroups: [{ Name: 'work', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: 'true' }, Resources: { CPU: 100_000, MemoryMB: 64 } }] }] }));
  await register(serviceJob('read-stopped', 1, 100, 64));
  await register(serviceJob('read-system', 1, 100, 64, { Type: 'system' }));
  await register(batchJob('read-periodic', { Periodic: { Spec: '0 0 * * *' } }));
  await register(batchJob('read-param', { ParameterizedJob: { Payload: 'optional' } }));
  await register(batchJob('read-param-stopped', { ParameterizedJob: { Payload: 'optional' } }));
  await register(serviceJob('read/in-apps', 1, 100, 64, { Namespace: 'apps', Meta: { note: 'caf\u00e9 \u2028 "q"' } }));
  await drainEvalQueue();
  for (const id of ['read-stopped', 'read-param-stopped']) expect((await api('DELETE', `/v1/job/${id}`)).status).toBe(200);
  await drainEvalQueue();
});

async function expectServedAsStored(namespace: string, jobId: string, status: string) {
  const record = (await readJob(namespace, jobId))!;
  const answer = await api('GET', path(namespace, jobId));
  expect(answer.status).toBe(200);
  expect(answer.text).toBe(JSON.stringify(record.job));
  expect(answer.body.Status).toBe(status);
  expect(answer.headers.get('X-Nomad-Index')).toBe(String(record.job.ModifyIndex));
  expect(answer.headers.get('X-Nomad-KnownLeader')).toBe('true');
  expect(answer.headers.get('Content-Type')).toBe('application/json');
}

describe('GET /v1/job/:id', () => {
  it('answers each job exactly as its item reads, status derived for each kind of job', async () => {
    for (const [namespace, jobId, status] of jobs) await expectServedAsStored(namespace, jobId, status);
    // Registers and stops store what the status needs beside the spec: system jobs and parents follow their Stop flag.
    const stored = async (jobId: string) =>
      (await dynamo().send(new GetCommand({ TableName: config().tableName, Key: jobKey('default', jobId) }))).Item?.StatusFollowsStop;
    expect(await Promise.all(['read-running', 'read-system', 'read-periodic', 'read-param-stopped'].map(stored))).toEqual([false, true, true, true]);
  });

  it('answers jobs written before StatusFollowsStop was stored the same, their status from the spec', async () => {
    for (const [namespace, jobId] of jobs) {
      await dynamo().send(new UpdateCommand({ TableName: config().tableName, Key: jobKey(namespace, jobId), UpdateExpression: 'REMOVE StatusFollowsStop' }));
    }
    for (const [namespace, jobId, status] of jobs) await expectServedAsStored(namespace, jobId, status);
  });

  it('indents with ?pretty as it would the job itself', async () => {
    const record = (await readJob('apps', 'read/in-apps'))!;
    expect((await api('GET', path('apps', 'read/in-apps', 'pretty=true'))).text).toBe(JSON.stringify(record.job, null, 4));
  });

  it('follows state changes that leave the spec as it is', async () => {
    const before = await api('GET', path('default', 'read-running'));
    expect((await api('POST', '/v1/job/read-running/stable', { JobID: 'read-running', JobVersion: 0, Stable: true })).status).toBe(200);
    const after = await api('GET', path('default', 'read-running'));
    expect([before.body.Stable, after.body.Stable]).toEqual([false, true]);
    expect(after.body.ModifyIndex).toBeGreaterThan(before.body.ModifyIndex);
    expect(after.text).toBe(JSON.stringify((await readJob('default', 'read-running'))!.job));
  });

  it('answers 404 for a job not found, in its namespace too', async () => {
    expect(await api('GET', '/v1/job/read-none')).toMatchObject({ status: 404, text: 'job not found' });
    expect(await api('GET', path('default', 'read/in-apps'))).toMatchObject({ status: 404, text: 'job not found' });
  });
});
