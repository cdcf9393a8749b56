import { beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../../shared/aws/clients';
import { jobPk, LEASE_SK } from '../../../shared/nomad/store/keys';
import { handler as worker } from '../../../functions/worker';
import { SqsPoller } from '../../../infra/local/sqs-poller';
import { requeuePendingEvals } from '../../../shared/nomad/worker/requeue';
import { unblockEvals } from '../../../shared/nomad/worker/unblock';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { auditCapacity, liveAllocs } from '../../support/nomad-cluster';

/**
 * Several workers at once, each dying at random points (lease taken, snapshot read, half a plan
 * committed, whole plan committed, outcome not yet recorded), while jobs are registered, scaled
 * and stopped. Afterwards every job has exactly its count, every name once, and every node's
 * claimed capacity equals what its live allocations hold.
 */
const JOBS = 8;

beforeAll(async () => {
  await useFreshResources({ visibilityTimeoutSeconds: 1 });
  for (let n = 1; n <= 6; n++) await api('PUT', '/v1/node/register', { Node: testNode(n) });
});

async function runWorkers(count: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const poller = new SqsPoller({ queueUrl: process.env.EVAL_QUEUE_URL!, handler: worker, functionName: `worker-${i}` });
      while (Date.now() < deadline) {
        if ((await poller.pollOnce(0)) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }),
  );
}

describe('fault injection under load', () => {
  it('schedules a job whose lease a dead worker still holds as soon as the lease lapses', async () => {
    await dynamo().send(
      new PutCommand({ TableName: process.env.TABLE_NAME, Item: { PK: jobPk('default', 'orphan'), SK: LEASE_SK, Owner: 'a worker that died', Until: Date.now() + 1_500 } }),
    );
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('orphan', 2, 100, 32) });
    await drainEvalQueue(30_000);
    expect(await liveAllocs('orphan')).toHaveLength(2);
    expect((await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body.Status).toBe('complete');
  });

  it('leaves exactly the right allocations and capacity after workers crash at every point', async () => {
    process.env.WORKER_FAULTS = 'after-lease=0.1,after-snapshot=0.1,mid-plan=0.5,after-commit=0.4,before-finish=0.4';
    try {
      for (let j = 0; j < JOBS; j++) await api('POST', '/v1/jobs', { Job: serviceJob(`load-${j}`, 6, 100, 32) });
      await runWorkers(4, 6_000);
      for (let j = 0; j < JOBS; j += 2) await api('POST', `/v1/job/load-${j}`, { Job: serviceJob(`load-${j}`, 3, 100, 32) });
      await api('DELETE', '/v1/job/load-1');
      await runWorkers(4, 6_000);
    } finally {
      delete process.env.WORKER_FAULTS;
    }
    // Whatever the faults left pending runs now, and placement conflicts blocked as
    // max-plan-attempts are retried, as the periodic duties do; all in real time.
    await requeuePendingEvals(Date.now(), 0);
    await unblockEvals();
    await drainEvalQueue(120_000);
    // An evaluation that hit the delivery limit is failed into a follow-up due 1–6 minutes later.
    // Rather than wait for it (or move the clock), do what an operator does: evaluate the job again.
    for (let j = 0; j < JOBS; j++) {
      const evaluations = (await api('GET', `/v1/job/load-${j}/evaluations`)).body as any[];
      const failed = evaluations.filter((evaluation) => evaluation.Status === 'failed');
      for (const evaluation of failed) {
        const followUp = evaluations.find((other) => other.ID === evaluation.NextEval);
        expect(followUp).toMatchObject({ Status: 'pending', TriggeredBy: 'failed-follow-up' });
        const delay = Date.parse(followUp.WaitUntil) - evaluation.ModifyTime / 1e6;
        expect(delay).toBeGreaterThanOrEqual(60_000 - 1);
        expect(delay).toBeLessThanOrEqual(6 * 60_000 + 1);
      }
      if (failed.length > 0) expect((await api('POST', `/v1/job/load-${j}/evaluate`, { JobID: `load-${j}` })).status).toBe(200);
    }
    await drainEvalQueue(120_000);

    for (let j = 0; j < JOBS; j++) {
      const live = await liveAllocs(`load-${j}`);
      const wanted = j === 1 ? 0 : j % 2 === 0 ? 3 : 6;
      expect(live, `load-${j}`).toHaveLength(wanted);
      expect(new Set(live.map((stored) => stored.alloc.Name)).size).toBe(wanted);
      // The summary counts client states: stopped allocations stay Starting until their client reports.
      const summary = (await api('GET', `/v1/job/load-${j}/summary`)).body.Summary.app;
      const all = (await api('GET', `/v1/job/load-${j}/allocations`)).body as { ClientStatus: string }[];
      expect(summary.Starting).toBe(all.filter((alloc) => alloc.ClientStatus === 'pending').length);
    }
    await auditCapacity();
  }, 300_000);
});
