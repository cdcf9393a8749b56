import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { handler as worker } from '../../../functions/worker';
import { dynamo } from '../../../shared/aws/clients';
import { SqsPoller } from '../../../infra/local/sqs-poller';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { auditCapacity, liveAllocs } from '../../support/nomad-cluster';

/**
 * A large count is planned and committed in slices (WORKER_SLICE_PLACEMENTS) and, once an
 * invocation's budget (WORKER_EVAL_BUDGET_MS) is spent, handed to the next invocation, against
 * the real stand-ins. Here the budget is one millisecond: every invocation commits one slice and
 * hands the evaluation on. Workers that die between two slices, or after handing the evaluation
 * on but before sending it, lose nothing and place nothing twice.
 */
const BIG_NODE = { NodeResources: { Cpu: { CpuShares: 1_000_000 }, Memory: { MemoryMB: 1_000_000 }, Disk: { DiskMB: 1_000_000 } } };

beforeAll(async () => {
  await useFreshResources({ visibilityTimeoutSeconds: 1 });
  for (const n of [1, 2, 3]) await api('PUT', '/v1/node/register', { Node: testNode(n, BIG_NODE) });
});

afterEach(() => {
  for (const name of ['WORKER_SLICE_PLACEMENTS', 'WORKER_EVAL_BUDGET_MS', 'WORKER_FAULTS']) delete process.env[name];
});

/** One worker invocation on the next message that becomes visible. */
async function invokeOnce(): Promise<void> {
  const poller = new SqsPoller({ queueUrl: process.env.EVAL_QUEUE_URL!, handler: worker, functionName: 'test-worker' });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) if ((await poller.pollOnce(1)) > 0) return;
  throw new Error('no evaluation arrived');
}

/** Counts the reads of a job's whole allocation partition (the snapshot a cold plan starts from) while `work` runs. */
async function countSnapshotReads(jobId: string, work: () => Promise<unknown>): Promise<number> {
  let reads = 0;
  const name = `count-snapshot-reads-${jobId}`;
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { KeyConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> };
      const pk = JSON.stringify(input.ExpressionAttributeValues?.[':pk'] ?? '');
      if (context.commandName === 'QueryCommand' && input.KeyConditionExpression === 'PK = :pk AND SK BETWEEN :from AND :to' && pk.includes(jobId)) reads++;
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await work();
  } finally {
    dynamo().middlewareStack.remove(name);
  }
  return reads;
}

async function expectPlacedOnce(jobId: string, count: number): Promise<void> {
  const live = await liveAllocs(jobId);
  expect(live).toHaveLength(count);
  expect(new Set(live.map((stored) => stored.alloc.Name)).size).toBe(count);
}

describe('a large count', () => {
  it('is placed completely, one slice per invocation, without duplicates', async () => {
    process.env.WORKER_SLICE_PLACEMENTS = '500';
    process.env.WORKER_EVAL_BUDGET_MS = '1';
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('big', 2_000, 10, 10) });
    const invocations = await drainEvalQueue(150_000);
    expect(invocations).toBe(4);
    await expectPlacedOnce('big', 2_000);
    const evaluation = (await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body;
    expect(evaluation.Status).toBe('complete');
    expect(evaluation.QueuedAllocations).toEqual({ app: 0 });
    expect((await api('GET', '/v1/job/big/evaluations')).body).toHaveLength(1);
    expect((await api('GET', '/v1/job/big/summary')).body.Summary.app.Starting).toBe(2_000);
    await auditCapacity();
  }, 180_000);

  it('hands the evaluation on after one slice when the Lambda has little time left', async () => {
    process.env.WORKER_SLICE_PLACEMENTS = '100';
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('short-lived', 300, 10, 10) });
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: process.env.EVAL_QUEUE_URL, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    expect(Messages).toHaveLength(1);
    const event: SQSEvent = {
      Records: Messages.map((message) => ({
        messageId: message.MessageId!,
        receiptHandle: message.ReceiptHandle!,
        body: message.Body!,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0', MessageGroupId: message.Attributes?.MessageGroupId },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:evals.fifo',
        awsRegion: 'local',
      })),
    };
    // Fifteen seconds left: within the margin kept for the slice in progress and the hand-off.
    const response = await worker(event, { getRemainingTimeInMillis: () => 15_000 } as Context);
    expect(response.batchItemFailures).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: process.env.EVAL_QUEUE_URL, ReceiptHandle: Messages[0].ReceiptHandle }));
    await expectPlacedOnce('short-lived', 100);
    expect((await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body.QueuedAllocations).toEqual({ app: 200 });
    await drainEvalQueue(60_000);
    await expectPlacedOnce('short-lived', 300);
    sqs.destroy();
  }, 120_000);

  it('loses nothing and duplicates nothing when a worker dies between slices or in the hand-off', async () => {
    process.env.WORKER_SLICE_PLACEMENTS = '100';
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('crashy', 500, 10, 10) });

    // Dies after its first slice committed.
    process.env.WORKER_FAULTS = 'between-slices=1';
    await invokeOnce();
    await expectPlacedOnce('crashy', 100);

    // The redelivery places one more slice, records the hand-off, and dies before sending it on.
    process.env.WORKER_FAULTS = 'mid-handoff=1';
    process.env.WORKER_EVAL_BUDGET_MS = '1';
    await invokeOnce();
    await expectPlacedOnce('crashy', 200);
    const handedOff = (await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body;
    expect(handedOff.Status).toBe('pending');
    expect(handedOff.QueuedAllocations).toEqual({ app: 300 });

    // The message comes back once more and the evaluation goes on from what is committed.
    delete process.env.WORKER_FAULTS;
    await drainEvalQueue(60_000);
    await expectPlacedOnce('crashy', 500);
    expect((await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body.Status).toBe('complete');
    expect((await api('GET', '/v1/job/crashy/evaluations')).body).toHaveLength(1);
    await auditCapacity();
  }, 120_000);

  it('goes on with the plan it kept under an unchanged deployment, and plans afresh once the deployment is paused', async () => {
    process.env.WORKER_SLICE_PLACEMENTS = '100';
    process.env.WORKER_EVAL_BUDGET_MS = '1';
    // A service job has an update block, so its placements run under a deployment.
    await api('POST', '/v1/jobs', { Job: serviceJob('warm', 600, 10, 10) });
    let invocations = 0;
    const reads = await countSnapshotReads('warm', async () => (invocations = await drainEvalQueue(150_000)));
    expect(invocations).toBe(6);
    expect(reads).toBe(1);
    await expectPlacedOnce('warm', 600);
    const deployment = (await api('GET', '/v1/job/warm/deployment')).body;
    expect(deployment.TaskGroups.app.PlacedAllocs).toBe(600);

    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('paused', 500, 10, 10) });
    await invokeOnce();
    await invokeOnce();
    await expectPlacedOnce('paused', 200);
    const paused = (await api('GET', '/v1/job/paused/deployment')).body;
    expect((await api('POST', `/v1/deployment/pause/${paused.ID}`, { DeploymentID: paused.ID, Pause: true })).status).toBe(200);
    // The pause moves the deployment, not the job: the kept plan must not place past it.
    const afterPause = await countSnapshotReads('paused', () => drainEvalQueue(60_000));
    expect(afterPause).toBe(1);
    await expectPlacedOnce('paused', 200);
    expect((await api('GET', `/v1/evaluation/${registered.body.EvalID}`)).body.Status).toBe('complete');
    expect((await api('GET', '/v1/job/paused/deployment')).body.TaskGroups.app.PlacedAllocs).toBe(200);
    await auditCapacity();
  }, 180_000);
});
