import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { transact } from '../../../shared/storage/transact';
import { listJobEvals, putNewEval, readEval } from '../../../shared/nomad/store/evals';
import type { Evaluation } from '../../../shared/nomad/structs/evaluation';
import { olderEval } from '../../support/older-eval';
import { handleEvalRecord } from '../../../shared/nomad/worker/eval-record';
import { requeuePendingEvals } from '../../../shared/nomad/worker/requeue';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { liveAllocs } from '../../support/nomad-cluster';

/**
 * What an older version may have left in the data folder (IDs with NUL, lone surrogates or emoji,
 * evaluations too large for SQS, malformed records) never stops the pending sweep `npm start` runs
 * at startup and every minute, and never circulates forever: what SQS refuses, what is malformed
 * and what keeps failing is quarantined, failed with the reason.
 */
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

let queueUrl: string;

beforeAll(async () => {
  ({ EVAL_QUEUE_URL: queueUrl } = await useFreshResources({ visibilityTimeoutSeconds: 1 }));
  await api('PUT', '/v1/node/register', { Node: testNode(1) });
});

afterEach(async () => {
  process.env.EVAL_QUEUE_URL = queueUrl;
  await drainEvalQueue();
});

/** A pending evaluation written straight to the store, as an older version would have. */
async function storedEval(jobId: string, fields: Record<string, unknown> = {}): Promise<Evaluation> {
  const evaluation = olderEval(jobId, fields);
  await transact([putNewEval(evaluation)]);
  return evaluation;
}

function record(evaluation: Evaluation, receiveCount: number): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: '',
    body: JSON.stringify({ EvalID: evaluation.ID, Namespace: evaluation.Namespace, JobID: evaluation.JobID }),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:evals.fifo',
    awsRegion: 'local',
  };
}

describe('evaluations an older version left behind', () => {
  it('are sent and run whatever characters their job IDs hold', async () => {
    const weird = await Promise.all(['nul\u0000id', 'lone\ud800', 'emoji😀'].map((jobId) => storedEval(jobId)));
    expect(await requeuePendingEvals(Date.now(), 0)).toBe(3);
    await drainEvalQueue();
    for (const evaluation of weird) {
      expect((await readEval('default', evaluation.JobID, evaluation.ID))?.Status, JSON.stringify(evaluation.JobID)).toBe('complete');
    }
  });

  it('quarantines what SQS refuses, and still sends the rest', async () => {
    // A queue that takes messages of at most 1 KiB, so an evaluation can be too large even without its copy.
    const small = await sqs.send(
      new CreateQueueCommand({ QueueName: `small-${randomUUID().slice(0, 8)}.fifo`, Attributes: { FifoQueue: 'true', MaximumMessageSize: '1024' } }),
    );
    process.env.EVAL_QUEUE_URL = small.QueueUrl;
    const huge = await storedEval('j'.repeat(1_100));
    const fine = await storedEval('fine');

    await expect(requeuePendingEvals(Date.now(), 0)).resolves.toBe(2);

    const quarantined = await readEval('default', huge.JobID, huge.ID);
    expect(quarantined?.Status).toBe('failed');
    expect(quarantined?.StatusDescription).toMatch(/^evaluation could not be queued: /);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: small.QueueUrl, MaxNumberOfMessages: 10 }));
    expect((received.Messages ?? []).map((message) => JSON.parse(message.Body!).EvalID)).toEqual([fine.ID]);
    // Nothing retries it: the next sweeps leave it alone.
    process.env.EVAL_QUEUE_URL = queueUrl;
    await requeuePendingEvals(Date.now(), 0);
    await drainEvalQueue();
    expect((await readEval('default', huge.JobID, huge.ID))?.ModifyIndex).toBe(quarantined?.ModifyIndex);
    expect((await readEval('default', fine.JobID, fine.ID))?.Status).toBe('complete');
  });

  it('quarantines malformed records instead of sending them', async () => {
    const malformed = await storedEval('malformed', { ModifyIndex: 'seven', TriggeredBy: undefined });
    await expect(requeuePendingEvals(Date.now(), 0)).resolves.toBe(0);
    const after = await readEval('default', 'malformed', malformed.ID);
    expect(after?.Status).toBe('failed');
    expect(after?.StatusDescription).toBe('evaluation record is malformed');
    await expect(requeuePendingEvals(Date.now(), 0)).resolves.toBe(0);
  });
});

describe('an evaluation that keeps failing', () => {
  it('gets one failed follow-up, and is quarantined when the follow-up fails too', async () => {
    await api('POST', '/v1/jobs', { Job: serviceJob('stubborn', 1, 100, 64) });
    await drainEvalQueue();
    const original = await storedEval('stubborn');
    await handleEvalRecord(record(original, 4));
    const failed = await readEval('default', 'stubborn', original.ID);
    expect(failed?.Status).toBe('failed');
    const followUp = await readEval('default', 'stubborn', failed!.NextEval!);
    expect(followUp?.TriggeredBy).toBe('failed-follow-up');

    // The follow-up is due in one to six minutes.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 7 * 60_000);
      await handleEvalRecord(record(followUp!, 4));
    } finally {
      vi.useRealTimers();
    }
    const quarantined = await readEval('default', 'stubborn', followUp!.ID);
    expect(quarantined?.Status).toBe('failed');
    expect(quarantined?.StatusDescription).toMatch(/delivery limit .* in its failed follow-up too/);
    expect(quarantined?.NextEval ?? '').toBe('');
    expect(quarantined?.BlockedEval ?? '').toBe('');
    const open = (await listJobEvals('default', 'stubborn')).filter((evaluation) => evaluation.Status === 'pending' || evaluation.Status === 'blocked');
    expect(open).toEqual([]);
    // The job's counters moved with it: nothing is left open, and the job runs as before.
    expect((await api('GET', '/v1/job/stubborn')).body.Status).toBe('running');
    expect(await liveAllocs('stubborn')).toHaveLength(1);
  });
});
