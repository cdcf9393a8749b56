import { createSocket, type Socket } from 'node:dgram';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { traced, tracedClient, tracedSpan } from '../../shared/observability/tracing';

/**
 * The functions' X-Ray tracing, read where X-Ray would read it: a UDP "daemon" on a free port
 * receives the subsegments the X-Ray SDK sends (as Lambda's daemon does), and the SDK call goes to
 * the local SQS stand-in.
 */
interface Subsegment {
  id: string;
  name: string;
  parent_id: string;
  trace_id: string;
  annotations?: Record<string, unknown>;
  aws?: { operation?: string };
  fault?: boolean;
  cause?: { exceptions: { message: string }[] };
}

const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const LAMBDA_SEGMENT = '53995c3f42cd8ad8';
// What Lambda sets in a traced function's environment.
const ON_LAMBDA = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_NAME: 'jobplane-api',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  LAMBDA_TASK_ROOT: '/var/task',
  _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=${LAMBDA_SEGMENT};Sampled=1`,
};

let daemon: Socket;
let received: Subsegment[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  daemon = createSocket('udp4');
  // Each datagram is a header line and one JSON document.
  daemon.on('message', (message) => received.push(JSON.parse(message.toString().split('\n')[1]) as Subsegment));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${daemon.address().port}`;
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  daemon.close();
  process.env = saved;
});

async function subsegments(count: number): Promise<Subsegment[]> {
  for (let waited = 0; received.length < count && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const documents = received;
  received = [];
  return documents;
}

const listQueues = (client: SQSClient) => client.send(new ListQueuesCommand({}));
const newClient = () => tracedClient(new SQSClient({ useQueueUrlAsEndpoint: false }));

describe('tracing', () => {
  it('is off and silent away from Lambda (npm start, tests): handlers and clients untouched', async () => {
    const written: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    }
    const client = new SQSClient({ useQueueUrlAsEndpoint: false });
    const handler = traced('api', async (n: number) => {
      await tracedSpan('evaluation', { EvalID: 'e1' }, () => listQueues(client));
      return n + 1;
    });
    expect(await handler(1)).toBe(2);
    expect(tracedClient(client)).toBe(client);
    expect(client.middlewareStack.identify().join()).not.toMatch(/xray/i);
    vi.restoreAllMocks();
    expect(written).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual([]);
  });

  it('on Lambda: each invocation is a subsegment of Lambda\'s, annotated with cold start and service, SDK calls beneath it', async () => {
    Object.assign(process.env, ON_LAMBDA);
    const handler = traced('api', async (n: number) => {
      await listQueues(newClient());
      return n + 1;
    });
    expect(await handler(1)).toBe(2);
    const documents = await subsegments(2);
    const invocation = documents.find((d) => d.name === '## api')!;
    const sqs = documents.find((d) => d.name === 'SQS')!;
    expect(invocation).toMatchObject({ name: '## api', parent_id: LAMBDA_SEGMENT, trace_id: TRACE_ROOT, annotations: { ColdStart: true, Service: 'api' } });
    expect(sqs).toMatchObject({ name: 'SQS', aws: { operation: 'ListQueues' }, parent_id: invocation.id, trace_id: TRACE_ROOT });
  });

  it('on Lambda: a failing invocation carries its error and still throws; the next is warm', async () => {
    const handler = traced('worker', async () => {
      throw new Error('evaluation store unavailable');
    });
    await expect(handler()).rejects.toThrow('evaluation store unavailable');
    const [invocation] = await subsegments(1);
    expect(invocation.name).toBe('## worker');
    expect(invocation.annotations).toMatchObject({ ColdStart: false });
    expect(invocation.cause?.exceptions.map((e) => e.message)).toEqual(['evaluation store unavailable']);
  });

  it('on Lambda: parts of an invocation are subsegments of their own, annotated, side by side without mixing their calls', async () => {
    const handler = traced('worker', () =>
      Promise.all(['e1', 'e2'].map((id) => tracedSpan('evaluation', { EvalID: id, JobID: `job-${id}` }, () => listQueues(newClient())))),
    );
    await handler();
    const documents = await subsegments(5);
    const invocation = documents.find((d) => d.name === '## worker')!;
    const evaluations = documents.filter((d) => d.name === '### evaluation');
    expect(evaluations.map((e) => e.annotations).sort((a, b) => String(a!.EvalID).localeCompare(String(b!.EvalID)))).toEqual([
      { EvalID: 'e1', JobID: 'job-e1' },
      { EvalID: 'e2', JobID: 'job-e2' },
    ]);
    for (const evaluation of evaluations) {
      expect(evaluation.parent_id).toBe(invocation.id);
      expect(documents.filter((d) => d.name === 'SQS' && d.parent_id === evaluation.id)).toHaveLength(1);
    }
  });

  it('on Lambda with POWERTOOLS_TRACE_ENABLED=false: untraced', async () => {
    process.env.POWERTOOLS_TRACE_ENABLED = 'false';
    const handler = traced('api', async () => 'answered');
    expect(await handler()).toBe('answered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual([]);
  });
});
