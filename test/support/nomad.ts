import { app } from '../../shared/http/app';
import { handler as worker } from '../../functions/worker';
import { SqsPoller } from '../../infra/local/sqs-poller';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Drives the Nomad API in process (the same Hono app Lambda serves) and runs the worker. */
export interface ApiResponse<T = any> {
  status: number;
  text: string;
  body: T;
  headers: Headers;
}

export async function api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  return readResponse(await app.request(path, requestInit(method, body, headers)));
}

export function requestInit(method: string, body?: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) };
}

/** The status, text, headers and (when the text is JSON) the parsed body of an answer. */
export async function readResponse<T = any>(response: Response): Promise<ApiResponse<T>> {
  const text = await response.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, text, body: parsed, headers: response.headers };
}

const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

async function queueIsEmpty(): Promise<boolean> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: process.env.EVAL_QUEUE_URL,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) === 0;
}

/**
 * Invokes the worker Lambda's handler on whatever is queued until the queue is empty, messages
 * in flight (waiting out a visibility timeout) included. It gives up only once the queue has
 * handed out nothing for `timeoutMs`: every message handled is the stack's sign of progress and
 * starts the deadline again, so a busy machine slows the drain down without failing it.
 */
export async function drainEvalQueue(timeoutMs = 60_000): Promise<number> {
  const poller = new SqsPoller({ queueUrl: process.env.EVAL_QUEUE_URL!, handler: worker, functionName: 'test-worker' });
  let deadline = Date.now() + timeoutMs;
  let handled = 0;
  while (Date.now() < deadline) {
    const count = await poller.pollOnce(0);
    handled += count;
    if (count > 0) deadline = Date.now() + timeoutMs;
    if (count === 0) {
      if (await queueIsEmpty()) return handled;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('the evaluation queue did not drain');
}

export function testNode(n: number, overrides: Record<string, unknown> = {}) {
  return {
    ID: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    Name: `node-${n}`,
    Datacenter: 'dc1',
    HTTPAddr: `10.0.0.${n}:4646`,
    Attributes: { 'kernel.name': 'linux', 'nomad.version': '1.9.0' },
    Drivers: { raw_exec: { Detected: true, Healthy: true, HealthDescription: 'healthy', Attributes: null, UpdateTime: '' } },
    NodeResources: { Cpu: { CpuShares: 1000 }, Memory: { MemoryMB: 1024 }, Disk: { DiskMB: 10_000 } },
    ...overrides,
  };
}

export function serviceJob(id: string, count: number, cpu = 500, memoryMB = 256, overrides: Record<string, unknown> = {}) {
  return {
    ID: id,
    Datacenters: ['dc1'],
    TaskGroups: [
      {
        Name: 'app',
        Count: count,
        Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep', args: ['60'] }, Resources: { CPU: cpu, MemoryMB: memoryMB } }],
      },
    ],
    ...overrides,
  };
}

/** A batch job of one `true` task, for the variants (periodic, parameterized…) `extra` makes of it. */
export function batchJob(id: string, extra: Record<string, unknown> = {}) {
  return {
    ID: id,
    Type: 'batch',
    Datacenters: ['dc1'],
    TaskGroups: [{ Name: 'work', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: 'true' }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
    ...extra,
  };
}
