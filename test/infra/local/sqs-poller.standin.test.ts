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
let wakeQueueUrl: string;

beforeAll(async () => {
  ({ EVAL_QUEUE_URL: queueUrl, WAKE_QUEUE_URL: wakeQueueUrl = '' } = await useFreshResources({ visibilityTimeoutSeconds: 30, wakeQueue: true }));
});
afterAll(() => sqs.destroy());

async function send(groups: string[], to = queueUrl): Promise<void> {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: to,
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

  it('takes fresh work before the wakes queued ahead of it, and the wakes once fresh work is done', async () => {
    const wakes = Array.from({ length: 12 }, (_, i) => `wake-${i}`);
    const fresh = ['fresh-0', 'fresh-1', 'fresh-2'];
    const started: { group: string; at: number }[] = [];
    const finished = new Map<string, number>();
    const poller = new SqsPoller({
      queueUrl,
      wakeQueueUrl,
      functionName: 'test-worker',
      concurrency: 2,
      wakeConcurrency: 2,
      handler: async (event: SQSEvent) => {
        const group = event.Records[0].attributes.MessageGroupId!;
        started.push({ group, at: performance.now() });
        await new Promise((resolve) => setTimeout(resolve, group.startsWith('fresh-') ? 300 : 100));
        finished.set(group, performance.now());
      },
    });
    await send(wakes.slice(0, 10), wakeQueueUrl);
    await send(wakes.slice(10), wakeQueueUrl);
    poller.start();
    try {
      await until(() => started.length > 0, 30_000);
      const freshSent = performance.now();
      await send(fresh);
      await until(() => fresh.every((group) => finished.has(group)), 30_000);
      const freshDone = Math.max(...fresh.map((group) => finished.get(group)!));
      // The wakes still queued when fresh work came wait for it (but for those received as it arrived, within the fresh lane's receive).
      const wakesMeanwhile = started.filter(({ group, at }) => group.startsWith('wake-') && at > freshSent + 100 && at < freshDone);
      expect(wakesMeanwhile).toEqual([]);
      expect(started.filter(({ group }) => group.startsWith('wake-')).length).toBeLessThan(wakes.length - 5);
      await until(() => wakes.every((group) => finished.has(group)), 60_000);
    } finally {
      await poller.stop();
    }
    // Once fresh work was done, every wake ran, one at a time.
    expect(started.filter(({ group }) => group.startsWith('wake-')).map(({ group }) => group).sort()).toEqual([...wakes].sort());
  }, 120_000);

  it('still serves wakes between fresh evaluations that keep coming', async () => {
    const wakes = Array.from({ length: 5 }, (_, i) => `trickle-wake-${i}`);
    const finished: string[] = [];
    const poller = new SqsPoller({
      queueUrl,
      wakeQueueUrl,
      functionName: 'test-worker',
      concurrency: 2,
      wakeConcurrency: 2,
      handler: async (event: SQSEvent) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        finished.push(event.Records[0].attributes.MessageGroupId!);
      },
    });
    await send(wakes, wakeQueueUrl);
    poller.start();
    let trickleDone = false;
    let wakesDuringTrickle = 0;
    try {
      for (let i = 0; i < 20; i++) {
        await send([`trickle-fresh-${i}`]);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      wakesDuringTrickle = finished.filter((group) => group.startsWith('trickle-wake-')).length;
      trickleDone = true;
      await until(() => wakes.every((group) => finished.includes(group)), 30_000);
    } finally {
      await poller.stop();
    }
    expect(trickleDone).toBe(true);
    expect(wakesDuringTrickle).toBeGreaterThan(0);
  }, 120_000);
});
