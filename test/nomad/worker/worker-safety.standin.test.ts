import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeleteMessageCommand, PurgeQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { toRecord } from '../../../infra/local/sqs-poller';
import { handler as worker } from '../../../functions/worker';
import { listNodes } from '../../../shared/nomad/store/nodes';
import { nodeCapacity } from '../../../shared/nomad/structs/node';
import { EMPTY_RESULT, finishEval } from '../../../shared/nomad/worker/finish-eval';
import { acquireLease, LeaseHeld, releaseLease } from '../../../shared/nomad/store/job-lease';
import { requeuePendingEvals } from '../../../shared/nomad/worker/requeue';
import { countDynamoRequests } from '../../../shared/aws/request-count';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { liveAllocs } from '../../support/nomad-cluster';

const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

async function receiveAll(): Promise<Message[]> {
  const messages: Message[] = [];
  for (let i = 0; i < 5; i++) {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: process.env.EVAL_QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }),
    );
    messages.push(...(received.Messages ?? []));
    if (messages.length > 0 && !received.Messages?.length) break;
  }
  return messages;
}

/** The event Lambda's event source would make of these messages, from their real SQS attributes. */
function eventOf(messages: Message[]): SQSEvent {
  return { Records: messages.map((message) => toRecord(message, process.env.EVAL_QUEUE_URL!)) };
}

/** The next delivery of the queue's one message: it comes back once its visibility timeout ends. */
async function receiveNext(): Promise<Message[]> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: process.env.EVAL_QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] }),
    );
    if (received.Messages?.length) return received.Messages;
  }
  throw new Error('no delivery within 60 s');
}

const context = { getRemainingTimeInMillis: () => 50_000 } as any;

/** One Lambda invocation on these messages; what succeeded is deleted, as the event source does. */
async function deliver(messages: Message[]) {
  const response = await worker(eventOf(messages), context);
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  for (const message of messages) {
    if (!failed.has(message.MessageId!)) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: process.env.EVAL_QUEUE_URL, ReceiptHandle: message.ReceiptHandle })).catch(() => undefined);
    }
  }
  return response;
}

/** Each node's claimed CPU, checked to fit its capacity. */
async function usedCapacityByNode() {
  const allocsByNode = new Map<string, number>();
  for (const entry of await listNodes()) {
    const capacity = nodeCapacity(entry.node);
    expect(entry.used.CpuShares).toBeLessThanOrEqual(capacity.CpuShares);
    expect(entry.used.MemoryMB).toBeLessThanOrEqual(capacity.MemoryMB);
    allocsByNode.set(entry.node.ID, entry.used.CpuShares);
  }
  return allocsByNode;
}

beforeAll(async () => {
  await useFreshResources({ visibilityTimeoutSeconds: 1 });
  for (const n of [1, 2]) await api('PUT', '/v1/node/register', { Node: testNode(n) });
});

afterEach(async () => {
  delete process.env.WORKER_FAULTS;
  await drainEvalQueue();
});

describe('the placement worker under redelivery, races and crashes', () => {
  it('handles the same evaluation delivered twice, one after the other and at once, without duplicates', async () => {
    await api('POST', '/v1/jobs', { Job: serviceJob('twice', 3, 100, 64) });
    const messages = await receiveAll();
    expect(messages).toHaveLength(1);
    await deliver(messages);
    await deliver(messages);
    expect(await liveAllocs('twice')).toHaveLength(3);

    await api('POST', '/v1/job/twice', { Job: serviceJob('twice', 5, 100, 64) });
    const second = await receiveAll();
    await Promise.all([deliver(second), deliver(second), deliver(second)]);
    await drainEvalQueue();
    const live = await liveAllocs('twice');
    expect(live).toHaveLength(5);
    expect(new Set(live.map((stored) => stored.alloc.Name)).size).toBe(5);
  });

  it('never overcommits a node when two workers race over the same nodes', async () => {
    await api('DELETE', '/v1/job/twice?purge=true');
    await drainEvalQueue();
    await api('POST', '/v1/jobs', { Job: serviceJob('left', 4, 400, 64) });
    await api('POST', '/v1/jobs', { Job: serviceJob('right', 4, 400, 64) });
    const messages = await receiveAll();
    expect(messages).toHaveLength(2);
    // Two Lambda invocations at once, one evaluation each.
    await Promise.all(messages.map((message) => deliver([message])));
    await drainEvalQueue();
    const used = await usedCapacityByNode();
    const placed = (await liveAllocs('left')).length + (await liveAllocs('right')).length;
    // Each 1000 MHz node holds two 400 MHz allocations.
    expect(placed).toBe(4);
    expect([...used.values()].reduce((a, b) => a + b, 0)).toBe(placed * 400);
  });

  it('recovers from a worker that dies after committing, leaving exactly the right allocations', async () => {
    await api('DELETE', '/v1/job/left?purge=true');
    await api('DELETE', '/v1/job/right?purge=true');
    await drainEvalQueue();
    process.env.WORKER_FAULTS = 'after-commit=1';
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('crashy', 4, 100, 64) });
    const messages = await receiveAll();
    const response = await deliver(messages);
    expect(response.batchItemFailures).toHaveLength(1);
    // The plan's last transaction also records the outcome (nothing was rejected), so the redelivery finds it done.
    expect((await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body.Status).toBe('complete');
    delete process.env.WORKER_FAULTS;
    await drainEvalQueue();
    expect(await liveAllocs('crashy')).toHaveLength(4);
    expect((await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body.Status).toBe('complete');
    await usedCapacityByNode();
  });

  it('fails an evaluation that SQS has delivered past the limit, counting real redeliveries', async () => {
    process.env.WORKER_FAULTS = 'after-snapshot=1';
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('undeliverable', 1, 100, 64) });
    const counts: number[] = [];
    for (;;) {
      const messages = await receiveNext();
      expect(messages).toHaveLength(1);
      counts.push(Number(messages[0].Attributes!.ApproximateReceiveCount));
      const response = await deliver(messages);
      if (response.batchItemFailures.length === 0) break;
      expect(counts.length).toBeLessThan(5);
    }
    // Three failed attempts; the fourth delivery is past the limit and fails the evaluation for good.
    expect(counts).toEqual([1, 2, 3, 4]);
    const evaluation = (await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body;
    expect(evaluation).toMatchObject({ Status: 'failed', StatusDescription: 'evaluation reached delivery limit (3)' });
    expect(await liveAllocs('undeliverable')).toEqual([]);
    delete process.env.WORKER_FAULTS;
  });

  it('queues again an evaluation that is pending in the store but was lost from the queue', async () => {
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('lost-message', 2, 100, 64) });
    await sqs.send(new PurgeQueueCommand({ QueueUrl: process.env.EVAL_QUEUE_URL }));
    expect(await drainEvalQueue()).toBe(0);
    expect((await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body.Status).toBe('pending');
    expect(await requeuePendingEvals(Date.now(), 0)).toBe(1);
    await drainEvalQueue();
    expect(await liveAllocs('lost-message')).toHaveLength(2);
  });

  it('spends one read on a pending evaluation the sweep sent again while its first message was still queued', async () => {
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('sent-twice', 2, 100, 64) });
    expect(await requeuePendingEvals(Date.now(), 0)).toBe(1);
    // One message group per job: the second copy is handed out once the first is done.
    const first = await receiveAll();
    expect(first).toHaveLength(1);
    await deliver(first);
    expect((await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body.Status).toBe('complete');
    const again = await receiveAll();
    expect(again).toHaveLength(1);
    const { requests } = await countDynamoRequests(() => deliver(again));
    expect(requests).toEqual(['GetItemCommand']);
    expect(await liveAllocs('sent-twice')).toHaveLength(2);
  });

  it('finishes an evaluation whose lease another worker took meanwhile, and leaves that lease alone', async () => {
    await api('POST', '/v1/jobs', { Job: serviceJob('lease-taken', 1, 100, 64) });
    await drainEvalQueue();
    const again = await api('POST', '/v1/jobs', { Job: serviceJob('lease-taken', 1, 100, 64) });
    const evaluation = (await api('GET', `/v1/evaluation/${again.body.EvalID}`)).body;
    const taker = { namespace: 'default', jobId: 'lease-taken', owner: 'the-other-worker' };
    await acquireLease(taker, Date.now());
    expect(await finishEval(evaluation, EMPTY_RESULT, { lease: { ...taker, owner: 'this-worker' } })).toBe('complete');
    expect((await api('GET', `/v1/evaluation/${evaluation.ID}`)).body.Status).toBe('complete');
    await expect(acquireLease({ ...taker, owner: 'a-third-worker' }, Date.now())).rejects.toBeInstanceOf(LeaseHeld);
    await releaseLease(taker);
  });

  it('answers for its own records only when two invocations run at once, as the local worker runs them', async () => {
    await api('POST', '/v1/jobs', { Job: serviceJob('held-elsewhere', 1, 100, 64) });
    await api('POST', '/v1/jobs', { Job: serviceJob('free-to-place', 1, 100, 64) });
    const messages = await receiveAll();
    const held = messages.find((message) => message.Attributes!.MessageGroupId!.endsWith('/held-elsewhere'))!;
    const free = messages.find((message) => message.Attributes!.MessageGroupId!.endsWith('/free-to-place'))!;
    const other = { namespace: 'default', jobId: 'held-elsewhere', owner: 'the-other-worker' };
    await acquireLease(other, Date.now());
    // The held job's record fails at once while the other invocation is still placing: a failure
    // reported by the wrong invocation is one its own event source deletes, and never retried.
    const [heldResponse, freeResponse] = await Promise.all([deliver([held]), deliver([free])]);
    expect(heldResponse.batchItemFailures).toEqual([{ itemIdentifier: held.MessageId }]);
    expect(freeResponse.batchItemFailures).toEqual([]);
    expect(await liveAllocs('free-to-place')).toHaveLength(1);
    await releaseLease(other);
  });
});
