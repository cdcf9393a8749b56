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
  private readonly active = new Set<Promise<void>>();
  private visibilitySeconds: Promise<number> | undefined;

  constructor(private readonly options: PollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.client.destroy();
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const received = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return received.Messages ?? [];
  }

  /** Receives once and invokes the handler once per message group, all at once; returns how many messages were handled. */
  async pollOnce(waitSeconds = 1): Promise<number> {
    const messages = await this.receive(10, waitSeconds);
    await Promise.all(byGroup(messages).map((group) => this.invoke(group)));
    return messages.length;
  }

  /** Renews the invisibility of `messages` at half the queue's visibility timeout until stopped. */
  private async keepInvisible(messages: Message[]): Promise<() => void> {
    this.visibilitySeconds ??= this.client
      .send(new GetQueueAttributesCommand({ QueueUrl: this.options.queueUrl, AttributeNames: ['VisibilityTimeout'] }))
      .then(({ Attributes }) => Number(Attributes?.VisibilityTimeout ?? 30));
    const seconds = await this.visibilitySeconds;
    const timer = setInterval(() => {
      this.client
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: seconds })),
          }),
        )
        .catch((error) => this.options.onError?.(error));
    }, (seconds * 1000) / 2);
    return () => clearInterval(timer);
  }

  /** One invocation with one group's messages, as Lambda would make it. */
  private async invoke(messages: Message[]): Promise<void> {
    const { queueUrl, handler, functionName } = this.options;
    const event: SQSEvent = { Records: messages.map((message) => toRecord(message, queueUrl)) };
    let failed = new Set<string>();
    const release = await this.keepInvisible(messages);
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

  private async run(): Promise<void> {
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    while (this.running) {
      if (this.active.size >= concurrency) {
        await Promise.race(this.active);
        continue;
      }
      try {
        // At most one message per free slot, so every group received can start at once.
        const messages = await this.receive(Math.min(10, concurrency - this.active.size), 1);
        for (const group of byGroup(messages)) {
          const invocation: Promise<void> = this.invoke(group)
            .catch((error) => this.options.onError?.(error))
            .finally(() => this.active.delete(invocation));
          this.active.add(invocation);
        }
      } catch (error) {
        if (!this.running) break;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    await Promise.all(this.active);
  }
}
