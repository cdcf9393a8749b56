import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsPoller } from '../../../infra/local/sqs-poller';
import { useFreshResources } from '../../support/resources';

/**
 * The local worker's poller runs like Lambda on a FIFO queue: each message group is its own
 * invocation, groups run side by side up to the configured concurrency, and a group that takes
 * long never holds back another.
 */
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
let queueUrl: string;

beforeAll(async () => {
  queueUrl = (await useFreshResources({ visibilityTimeoutSeconds: 30 })).EVAL_QUEUE_URL;
});
afterAll(() => sqs.destroy());

async function send(groups: string[]): Promise<void> {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: groups.map((group, i) => ({ Id: String(i), MessageBody: JSON.stringify({ group }), MessageGroupId: group, MessageDeduplicationId: `${group}-${i}-${Date.now()}` })),
    }),
  );
}

/** Resolves when `ready()` holds, checking every 20 ms; rejects after `ms` (the test's own bound). */
async function until(ready: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the local SQS poller', () => {
  it('runs message groups concurrently, one invocation per group, never more than its concurrency', async () => {
    const started: string[][] = [];
    const finished: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let releaseSlow!: () => void;
    const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
    const poller = new SqsPoller({
      queueUrl,
      functionName: 'test-worker',
      concurrency: 2,
      handler: async (event: SQSEvent) => {
        const groups = event.Records.map((record) => record.attributes.MessageGroupId!);
        started.push(groups);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // The slow group holds its invocation until every other group has been handled.
        if (groups.includes('slow')) await slowReleased;
        else await new Promise((resolve) => setTimeout(resolve, 50));
        inFlight--;
        finished.push(...groups);
      },
    });
    await send(['slow']);
    poller.start();
    try {
      await until(() => started.length === 1, 30_000);
      await send(['a', 'b', 'c']);
      await until(() => ['a', 'b', 'c'].every((group) => finished.includes(group)), 60_000);
      expect(finished).not.toContain('slow');
      releaseSlow();
      await until(() => finished.includes('slow'), 30_000);
    } finally {
      releaseSlow();
      await poller.stop();
    }
    expect(started.every((groups) => new Set(groups).size === 1)).toBe(true);
    expect(maxInFlight).toBe(2);
  }, 120_000);
});
