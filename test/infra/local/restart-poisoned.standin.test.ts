import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../infra/local/stand-ins';
import { startLocalStack, type LocalStack } from '../../../infra/local/local-stack';
import { transact } from '../../../shared/storage/transact';
import { putNewEval, readEval } from '../../../shared/nomad/store/evals';
import { olderEval } from '../../support/older-eval';
import { testNode } from '../../support/nomad';
import { callUrl, eventually } from '../../support/nomad-http';

/**
 * `npm start` over a data folder in which an older version left evaluations that today's SQS
 * path chokes on or that are malformed: the stack starts, answers, runs what can run and
 * quarantines what cannot.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'jobplane-poisoned-'));
let stack: LocalStack | undefined;

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) => callUrl(stack!.url, method, path, body);

describe('the local stack on a data folder an older version poisoned', () => {
  it('starts, answers, and leaves no evaluation circulating', async () => {
    const ports = { dynamodb: await freePort(), sqs: await freePort(), s3: await freePort() };
    const port = await freePort();
    stack = await startLocalStack({ dataDir, port, standInPorts: ports, periodicMs: 3_600_000 });
    expect((await call('PUT', '/v1/node/register', { Node: testNode(1) })).status).toBe(200);
    const odd = ['nul\u0000id', 'lone\ud800', 'emoji😀', 'x'.repeat(1_000)].map((jobId) => olderEval(jobId));
    const malformed = olderEval('malformed', { ModifyIndex: 'x', TriggeredBy: 42 });
    await transact([...odd, malformed].map(putNewEval));
    await stack.stop();
    stack = undefined;

    stack = await startLocalStack({ dataDir, port, standInPorts: ports, periodicMs: 3_600_000 });
    expect((await call('GET', '/v1/jobs')).status).toBe(200);
    for (const evaluation of odd) {
      const done = await eventually(() => readEval('default', evaluation.JobID, evaluation.ID), (read) => read?.Status === 'complete');
      expect(done?.Status).toBe('complete');
    }
    const quarantined = await readEval('default', 'malformed', malformed.ID);
    expect(quarantined?.Status).toBe('failed');
    expect(quarantined?.StatusDescription).toBe('evaluation record is malformed');
  }, 180_000);
});
