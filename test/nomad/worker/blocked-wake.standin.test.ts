import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { runSchedulerDuties } from '../../../shared/nomad/services/scheduler-duties';
import { ANY_BUCKET } from '../../../shared/nomad/scheduler/blocked-wake';
import { listBlockedEntries } from '../../../shared/nomad/store/blocked-evals';
import { unblockEvals } from '../../../shared/nomad/worker/unblock';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';

/**
 * Blocked evaluations are filed by their job's node pool and datacenters, and a node that joins
 * or frees capacity wakes only those that could now place on it (its datacenter and pool match,
 * and its computed class is one they never saw, were eligible on, or they escaped classes), once
 * per job, without reading the others.
 */
beforeAll(async () => {
  await useFreshResources();
});

/** Registers a job nothing can place yet and runs its evaluation: it leaves one blocked evaluation. */
async function blockedJob(id: string, fields: Record<string, unknown>): Promise<string> {
  await api('POST', '/v1/jobs', { Job: serviceJob(id, 1, 100, 64, fields) });
  await drainEvalQueue();
  const evaluations = (await api('GET', `/v1/job/${id}/evaluations`)).body as { ID: string; Status: string }[];
  const blocked = evaluations.filter((evaluation) => evaluation.Status === 'blocked');
  expect(blocked).toHaveLength(1);
  return blocked[0].ID;
}

const node = (datacenter: string, computedClass: string, nodePool = 'default') => ({ Datacenter: datacenter, NodePool: nodePool, ComputedClass: computedClass });

async function liveCount(jobId: string): Promise<number> {
  return ((await api('GET', `/v1/job/${jobId}/allocations`)).body as { DesiredStatus: string }[]).filter((alloc) => alloc.DesiredStatus === 'run').length;
}

describe('waking blocked evaluations', () => {
  it('retries an evaluation blocked for five minutes in the wake lane, behind fresh work', async () => {
    const blockedId = await blockedJob('long-blocked', { Datacenters: ['dc-never'] });
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const { QueueUrl: wakeQueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `wakes-${randomUUID().slice(0, 8)}.fifo`, Attributes: { FifoQueue: 'true' } }));
    process.env.WAKE_QUEUE_URL = wakeQueueUrl;
    try {
      await runSchedulerDuties(Date.now() + 6 * 60_000);
      const sent = async (queueUrl: string) => {
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        return (received.Messages ?? []).map((message) => JSON.parse(message.Body!).EvalID as string);
      };
      expect(await sent(wakeQueueUrl!)).toContain(blockedId);
      expect(await sent(process.env.EVAL_QUEUE_URL!)).not.toContain(blockedId);
    } finally {
      delete process.env.WAKE_QUEUE_URL;
    }
    await drainEvalQueue();
  });

  it('wakes only the evaluations whose datacenters and pool take the node, once per job', async () => {
    await blockedJob('in-a', { Datacenters: ['dc-a'] });
    await blockedJob('in-b', { Datacenters: ['dc-b'] });
    await blockedJob('in-any-dc', { Datacenters: ['dc-*'] });
    await blockedJob('in-a-or-b', { Datacenters: ['dc-a', 'dc-b'] });
    await blockedJob('all-pools-b', { Datacenters: ['dc-b'], NodePool: 'all' });
    expect((await listBlockedEntries(['default#dc-a'])).map((entry) => entry.JobID).sort()).toEqual(['in-a', 'in-a-or-b']);
    expect((await listBlockedEntries([ANY_BUCKET])).map((entry) => entry.JobID).sort()).toEqual(['all-pools-b', 'in-any-dc']);

    expect(await unblockEvals({ nodes: [node('dc-a', 'v1:1')] })).toBe(3);
    await drainEvalQueue();
    expect(await unblockEvals({ nodes: [node('dc-b', 'v1:1')] })).toBe(4);
    await drainEvalQueue();
    // Two nodes, both fit for one job: it is woken once.
    expect(await unblockEvals({ nodes: [node('dc-a', 'v1:1'), node('dc-b', 'v1:1')] })).toBe(5);
    await drainEvalQueue();
    expect(await unblockEvals({ nodes: [node('dc-c', 'v1:1')] })).toBe(1);
    await drainEvalQueue();
    expect(await unblockEvals({ nodes: [node('dc-a', 'v1:1')], exceptJobId: 'in-a' })).toBe(2);
    await drainEvalQueue();
  });

  it('skips classes an evaluation was found ineligible on, and places once a fitting node joins', async () => {
    await api('PUT', '/v1/node/register', { Node: testNode(1, { Datacenter: 'dc-w' }) });
    const linuxClass = (await api('GET', `/v1/node/${testNode(1).ID}`)).body.ComputedClass as string;
    const windows = { Datacenters: ['dc-w'], Constraints: [{ LTarget: '${attr.kernel.name}', RTarget: 'windows', Operand: '=' }] };
    const blockedId = await blockedJob('windows-only', windows);
    const blocked = (await api('GET', `/v1/evaluation/${blockedId}`)).body;
    expect(blocked.ClassEligibility).toEqual({ [linuxClass]: false });

    // Another linux node in the datacenter cannot help it; a node of a class it never saw may.
    expect(await unblockEvals({ nodes: [node('dc-w', linuxClass)] })).toBe(0);
    const windowsNode = testNode(2, { Datacenter: 'dc-w', Attributes: { 'kernel.name': 'windows', 'nomad.version': '1.9.0' } });
    await api('PUT', '/v1/node/register', { Node: windowsNode });
    await drainEvalQueue();
    expect(await liveCount('windows-only')).toBe(1);
    expect((await api('GET', `/v1/evaluation/${blockedId}`)).body.Status).toBe('complete');
    // The job has no blocked evaluation any more, and the index forgot it in the same write.
    expect((await listBlockedEntries(['default#dc-w'])).map((entry) => entry.JobID)).toEqual([]);
    expect(await liveCount('in-b')).toBe(0);
  });

  it('drops an entry whose evaluation is no longer blocked when a node reads it', async () => {
    const blockedId = await blockedJob('moved', { Datacenters: ['dc-m'] });
    // The job moves to another datacenter: its new evaluation replaces the blocked one, whose entry under dc-m stays behind.
    await api('POST', '/v1/jobs', { Job: serviceJob('moved', 1, 100, 64, { Datacenters: ['dc-n'] }) });
    await drainEvalQueue();
    expect((await api('GET', `/v1/evaluation/${blockedId}`)).body.Status).toBe('canceled');
    expect((await listBlockedEntries(['default#dc-m'])).map((entry) => entry.EvalID)).toEqual([blockedId]);
    expect(await unblockEvals({ nodes: [node('dc-m', 'v1:1')] })).toBe(0);
    expect(await listBlockedEntries(['default#dc-m'])).toEqual([]);
    expect((await listBlockedEntries(['default#dc-n'])).map((entry) => entry.JobID)).toEqual(['moved']);
  });
});
