import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';

/**
 * Plays Lambda's SQS event source locally: long-polls the queue, hands the received messages to
 * the very handler the worker Lambda exports as SQS events, deletes the records it did not report
 * as failed, and leaves failed ones to reappear after the visibility timeout.
 *
 * As Lambda does on a FIFO queue, message groups run concurrently: each group's messages are one
 * invocation, up to `concurrency` invocations at once (the worker's reserved concurrency,
 * WORKER_CONCURRENCY), and a free slot is filled as soon as one ends, so a long evaluation of one
 * job never holds back another job's. SQS itself hands out no further message of a group while
 * one is in flight, which keeps each job's evaluations in order. On AWS the worker's timeout is
 * shorter than the queue's visibility timeout; the local queue's is short (so failed messages come
 * back quickly), so the poller keeps an invocation's messages invisible while it runs, or a
 * redelivered copy would start beside it.
 *
 * With a wake queue (woken blocked evaluations), the poller serves it as a second, lower-priority
 * lane of its own `wakeConcurrency`: a wake is received only while none of the evaluation queue's
 * invocations runs and its last receive found it drained (fewer messages than there were free
 * slots), so fresh work is always taken first, wakes fill the gaps between fresh evaluations, and
 * a storm of wakes never holds a slot fresh work needs. (On AWS the wake queue has its own event
 * source and its own share of the reserved concurrency.)
 */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface PollerOptions {
  queueUrl: string;
  handler: SqsHandler;
  functionName: string;
  /** How long one invocation may run, like the Lambda timeout. */
  timeoutMs?: number;
  /** Invocations (message groups) at once; 1 by default. */
  concurrency?: number;
  /** The queue of woken blocked evaluations, served after `queueUrl`. */
  wakeQueueUrl?: string;
  /** Wake invocations at once; 1 by default. */
  wakeConcurrency?: number;
  onError?: (error: unknown) => void;
}

function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The SQS event record Lambda's event source makes of a received message (its real receive count included). */
export function toRecord(message: Message, queueUrl: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const queueName = queueUrl.split('/').pop()!;
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      MessageGroupId: attributes.MessageGroupId,
      MessageDeduplicationId: attributes.MessageDeduplicationId,
      SequenceNumber: attributes.SequenceNumber,
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:${queueName}`,
    awsRegion: 'local',
  };
}

/** The received messages per message group, in the order received. */
function byGroup(messages: Message[]): Message[][] {
  const groups = new Map<string, Message[]>();
  for (const message of messages) {
    const group = message.Attributes?.MessageGroupId ?? message.MessageId!;
    let list = groups.get(group);
    if (!list) groups.set(group, (list = []));
    list.push(message);
  }
  return [...groups.values()];
}

export class SqsPoller {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly client = new SQSClient({ useQueueUrlAsEndpoint: false });
  private readonly visibilitySeconds = new Map<string, Promise<number>>();
  /** Fresh work: invocations of the evaluation queue running, and whether its last receive found it drained (fewer messages than asked for). */
  private readonly freshActive = new Set<Promise<void>>();
  private freshDrained = false;

  constructor(private readonly options: PollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const { queueUrl, wakeQueueUrl, concurrency = 1, wakeConcurrency = 1 } = this.options;
    const fresh = this.lane(queueUrl, concurrency, this.freshActive, () => true, (received, asked) => (this.freshDrained = received < asked));
    const freshIdle = () => this.freshDrained && this.freshActive.size === 0;
    const wakes = wakeQueueUrl ? this.lane(wakeQueueUrl, wakeConcurrency, new Set(), freshIdle) : undefined;
    this.loop = Promise.all([fresh, wakes]).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.client.destroy();
  }

  private async receive(queueUrl: string, max: number, waitSeconds: number): Promise<Message[]> {
    const received = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return received.Messages ?? [];
  }

  /**
   * Receives once (at most `max` messages) and invokes the handler once per message group, all at
   * once; the wake queue is read only when the evaluation queue had nothing. Returns how many
   * messages were handled.
   */
  async pollOnce(waitSeconds = 1, max = 10): Promise<number> {
    let queueUrl = this.options.queueUrl;
    let messages = await this.receive(queueUrl, max, waitSeconds);
    if (messages.length === 0 && this.options.wakeQueueUrl) messages = await this.receive((queueUrl = this.options.wakeQueueUrl), max, 0);
    await Promise.all(byGroup(messages).map((group) => this.invoke(queueUrl, group)));
    return messages.length;
  }

  /** Renews the invisibility of `messages` at half the queue's visibility timeout until stopped. */
  private async keepInvisible(queueUrl: string, messages: Message[]): Promise<() => void> {
    let visibility = this.visibilitySeconds.get(queueUrl);
    if (!visibility) {
      visibility = this.client
        .send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }))
        .then(({ Attributes }) => Number(Attributes?.VisibilityTimeout ?? 30));
      this.visibilitySeconds.set(queueUrl, visibility);
    }
    const seconds = await visibility;
    const timer = setInterval(() => {
      this.client
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: seconds })),
          }),
        )
        .catch((error) => this.options.onError?.(error));
    }, (seconds * 1000) / 2);
    return () => clearInterval(timer);
  }

  /** One invocation with one group's messages, as Lambda would make it. */
  private async invoke(queueUrl: string, messages: Message[]): Promise<void> {
    const { handler, functionName } = this.options;
    const event: SQSEvent = { Records: messages.map((message) => toRecord(message, queueUrl)) };
    let failed = new Set<string>();
    const release = await this.keepInvisible(queueUrl, messages);
    try {
      const response = await handler(event, lambdaContext(functionName, this.options.timeoutMs ?? 50_000));
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      // A thrown invocation fails the whole batch, as on Lambda.
      this.options.onError?.(error);
      return;
    } finally {
      release();
    }
    const done = messages.filter((message) => !failed.has(message.MessageId!));
    if (done.length > 0) {
      await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle! })),
        }),
      );
    }
  }

  /** One queue's receive loop: up to `concurrency` invocations of it at once, receiving only while `mayReceive()`. */
  private async lane(
    queueUrl: string,
    concurrency: number,
    active: Set<Promise<void>>,
    mayReceive: () => boolean,
    received?: (count: number, asked: number) => void,
  ): Promise<void> {
    const slots = Math.max(1, concurrency);
    while (this.running) {
      if (active.size >= slots) {
        await Promise.race(active);
        continue;
      }
      if (!mayReceive()) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      try {
        // At most one message per free slot, so every group received can start at once.
        const asked = Math.min(10, slots - active.size);
        const messages = await this.receive(queueUrl, asked, 1);
        received?.(messages.length, asked);
        for (const group of byGroup(messages)) {
          const invocation: Promise<void> = this.invoke(queueUrl, group)
            .catch((error) => this.options.onError?.(error))
            .finally(() => active.delete(invocation));
          active.add(invocation);
        }
      } catch (error) {
        if (!this.running) break;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    await Promise.all(active);
  }
}
