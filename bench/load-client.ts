/**
 * The load generator of load.bench.ts, run in a worker thread so that the client's own work never
 * shares the API's event loop: `connections` loops, each on its own kept-alive node:http
 * connection, each sending one request after another until the deadline. Three modes:
 * - `api`: the Nomad mix (see MIX) against the API; it reports the jobs it registered and
 *   deregistered so the main thread can check that nothing was lost;
 * - `hono`: the same loops against a bare Hono answer (the HTTP floor of this machine);
 * - `getitem`: the same loops as raw consistent GetItem calls through the SDK (the store's floor).
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

export interface LoadRequest {
  mode: 'api' | 'hono' | 'getitem';
  url: string;
  seconds: number;
  connections: number;
  nodeIds: string[];
  /** For `getitem`: the table and the key read. */
  table?: string;
  key?: Record<string, string>;
}

export interface RegisteredJob {
  id: string;
  count: number;
  evalId: string;
  /** Set once a deregister was answered 200. */
  stopEvalId?: string;
}

export interface LoadResult {
  /** Latencies (ms) per request kind. */
  latencies: Record<string, number[]>;
  /** Answers per status code, per kind ("error" when the request failed without one). */
  statuses: Record<string, Record<string, number>>;
  /** Up to 20 unexpected answers, for the report. */
  failures: string[];
  jobs: RegisteredJob[];
}

/** Request kinds and their weights: reads dominate, as on a busy cluster with a UI and CLIs watching it. */
const MIX: Array<[kind: string, weight: number]> = [
  ['register', 10],
  ['deregister', 3],
  ['job read', 18],
  ['job allocations', 14],
  ['job evaluations', 7],
  ['job summary', 5],
  ['evaluation read', 7],
  ['allocation read', 7],
  ['jobs page', 8],
  ['allocations page', 5],
  ['evaluations page', 4],
  ['nodes list', 3],
  ['node heartbeat', 9],
];
const TOTAL_WEIGHT = MIX.reduce((sum, [, weight]) => sum + weight, 0);
const PER_PAGE = 25;

function pickKind(): string {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const [kind, weight] of MIX) if ((roll -= weight) < 0) return kind;
  return MIX[0]![0];
}

function pick<T>(values: T[]): T | undefined {
  return values.length === 0 ? undefined : values[Math.floor(Math.random() * values.length)];
}

function jobBody(id: string, count: number) {
  return JSON.stringify({
    Job: {
      ID: id,
      Datacenters: ['dc1'],
      TaskGroups: [
        {
          Name: 'app',
          Count: count,
          Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep', args: ['3600'] }, Resources: { CPU: 20, MemoryMB: 16 } }],
        },
      ],
    },
  });
}

interface Answer {
  status: number;
  text: string;
  nextToken?: string;
}

function send(agent: Agent, method: string, url: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) };
    const outgoing = request(url, { method, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          nextToken: response.headers['x-nomad-nexttoken'] as string | undefined,
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function run(options: LoadRequest): Promise<LoadResult> {
  const result: LoadResult = { latencies: {}, statuses: {}, failures: [], jobs: [] };
  const deadline = performance.now() + options.seconds * 1000;
  // One socket per loop: each loop is one of the `connections` clients.
  const agents = Array.from({ length: options.connections }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const live: RegisteredJob[] = [];
  const evalIds: string[] = [];
  const allocIds: string[] = [];
  let registered = 0;
  const raw =
    options.mode === 'getitem' ? DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 1 })) : undefined;

  const record = (kind: string, ms: number, status: number | 'error', expected: number[], detail: string) => {
    (result.latencies[kind] ??= []).push(ms);
    const statuses = (result.statuses[kind] ??= {});
    statuses[status] = (statuses[status] ?? 0) + 1;
    if ((status === 'error' || !expected.includes(status)) && result.failures.length < 20) result.failures.push(`${kind}: ${status} ${detail.slice(0, 200)}`);
  };

  /** One request of the mix on `agent`; the page tokens are the loop's own, so each loop walks its lists page by page. */
  const mixed = async (agent: Agent, tokens: Record<string, string | undefined>) => {
    let kind = pickKind();
    let job = pick(live);
    if (!job && kind !== 'register' && !kind.endsWith('page') && !kind.startsWith('node')) kind = 'register';
    let method = 'GET';
    let path: string;
    let body: string | undefined;
    const expected = [200];
    switch (kind) {
      case 'register': {
        const id = `load-${registered++}`;
        const count = 1 + (registered % 3);
        job = { id, count, evalId: '' };
        method = 'POST';
        path = '/v1/jobs';
        body = jobBody(id, count);
        break;
      }
      case 'deregister':
        // Taken off the live list before the request, so no other loop reads it as it goes.
        live.splice(live.indexOf(job!), 1);
        method = 'DELETE';
        path = `/v1/job/${job!.id}`;
        break;
      case 'job read':
        path = `/v1/job/${job!.id}`;
        break;
      case 'job allocations':
        path = `/v1/job/${job!.id}/allocations`;
        break;
      case 'job evaluations':
        path = `/v1/job/${job!.id}/evaluations`;
        break;
      case 'job summary':
        path = `/v1/job/${job!.id}/summary`;
        break;
      case 'evaluation read':
        path = `/v1/evaluation/${pick(evalIds) ?? job!.evalId}`;
        break;
      case 'allocation read': {
        const allocId = pick(allocIds);
        if (!allocId) return mixed(agent, tokens);
        path = `/v1/allocation/${allocId}`;
        break;
      }
      case 'jobs page':
      case 'allocations page':
      case 'evaluations page': {
        const collection = kind.split(' ')[0];
        const token = tokens[kind];
        path = `/v1/${collection}?per_page=${PER_PAGE}${token ? `&next_token=${encodeURIComponent(token)}` : ''}`;
        break;
      }
      case 'nodes list':
        path = '/v1/nodes';
        break;
      case 'node heartbeat':
        method = 'PUT';
        path = `/v1/node/${pick(options.nodeIds)}/heartbeat`;
        break;
      default:
        throw new Error(`unknown kind ${kind}`);
    }
    const started = performance.now();
    let answer: Answer;
    try {
      answer = await send(agent, method, `${options.url}${path}`, body);
    } catch (error) {
      record(kind, performance.now() - started, 'error', expected, `${method} ${path}: ${(error as Error).message}`);
      if (kind === 'register') result.jobs.push(job!);
      return;
    }
    record(kind, performance.now() - started, answer.status, expected, `${method} ${path}: ${answer.text}`);
    if (answer.status !== 200) {
      // A register that failed may still have been committed: the end check looks for it all the same.
      if (kind === 'register') result.jobs.push(job!);
      return;
    }
    const parsed = answer.text ? JSON.parse(answer.text) : undefined;
    if (kind === 'register') {
      job!.evalId = parsed.EvalID;
      result.jobs.push(job!);
      live.push(job!);
      evalIds.push(parsed.EvalID);
    } else if (kind === 'deregister') {
      job!.stopEvalId = parsed.EvalID;
    } else if (kind === 'job allocations') {
      for (const alloc of parsed as Array<{ ID: string }>) if (!allocIds.includes(alloc.ID)) allocIds.push(alloc.ID);
    } else if (kind.endsWith('page')) {
      tokens[kind] = answer.nextToken;
    }
  };

  await Promise.all(
    agents.map(async (agent) => {
      const tokens: Record<string, string | undefined> = {};
      while (performance.now() < deadline) {
        if (options.mode === 'api') {
          await mixed(agent, tokens);
        } else if (options.mode === 'hono') {
          const started = performance.now();
          const answer = await send(agent, 'GET', `${options.url}/v1/status/leader`).catch((error: Error) => ({ status: 'error' as const, text: error.message }));
          record('bare Hono answer', performance.now() - started, answer.status, [200], answer.text);
        } else {
          const started = performance.now();
          let status: number | 'error' = 200;
          let detail = '';
          try {
            await raw!.send(new GetCommand({ TableName: options.table, Key: options.key, ConsistentRead: true }));
          } catch (error) {
            status = 'error';
            detail = (error as Error).message;
          }
          record('raw GetItem', performance.now() - started, status, [200], detail);
        }
      }
    }),
  );
  for (const agent of agents) agent.destroy();
  raw?.destroy();
  return result;
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LoadRequest).then(
    (result) => port.postMessage({ result }),
    (error: Error) => port.postMessage({ error: error.stack ?? error.message }),
  );
}
