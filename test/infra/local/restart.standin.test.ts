import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../infra/local/stand-ins';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../infra/local/local-stack';
import { serviceJob, testNode } from '../../support/nomad';
import { callUrl, eventually } from '../../support/nomad-http';

/**
 * `npm start` twice over the same data folder: what was registered before is there after, and an
 * evaluation left pending when the in-memory queue died is queued again and placed.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'jobplane-restart-'));
// The stack being started or running, kept as a promise so one still booting when the test ends is stopped too.
let starting: Promise<LocalStack> | undefined;
let stack: LocalStack;

async function start(options: LocalStackOptions): Promise<LocalStack> {
  starting = startLocalStack(options);
  stack = await starting;
  return stack;
}

async function stop(): Promise<void> {
  const current = starting;
  starting = undefined;
  await (await current?.catch(() => undefined))?.stop();
}

afterAll(async () => {
  try {
    await stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const call = (method: string, path: string, body?: unknown) => callUrl(stack.url, method, path, body);

describe('the local stack across a restart', () => {
  it('keeps jobs and re-queues evaluations pending at shutdown', async () => {
    const ports = { dynamodb: await freePort(), sqs: await freePort(), s3: await freePort() };
    const port = await freePort();
    await start({ dataDir, port, standInPorts: ports, periodicMs: 3_600_000 });
    expect((await call('PUT', '/v1/node/register', { Node: testNode(1) })).status).toBe(200);
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('kept', 2, 100, 64) })).status).toBe(200);
    await eventually(() => call('GET', '/v1/job/kept/allocations'), (r) => r.body.length === 2);

    // A worker that keeps dying leaves this one's evaluation pending when the stack stops.
    process.env.WORKER_FAULTS = 'after-snapshot=1';
    const pending = await call('POST', '/v1/jobs', { Job: serviceJob('pending', 1, 100, 64) });
    expect((await call('GET', `/v1/evaluation/${pending.body.EvalID}`)).body.Status).toBe('pending');
    await stop();
    delete process.env.WORKER_FAULTS;

    await start({ dataDir, port, standInPorts: ports, periodicMs: 3_600_000 });
    const jobs = await call('GET', '/v1/jobs');
    expect(jobs.body.map((job: any) => job.ID)).toEqual(['kept', 'pending']);
    expect((await call('GET', '/v1/job/kept/allocations')).body).toHaveLength(2);
    const placed = await eventually(() => call('GET', '/v1/job/pending/allocations'), (r) => r.body.length === 1);
    expect(placed.body).toHaveLength(1);
    expect((await call('GET', `/v1/evaluation/${pending.body.EvalID}`)).body.Status).toBe('complete');
    // Two DynamoDB Local boots and two placements: generous, as the machine may be busy.
  }, 240_000);
});
