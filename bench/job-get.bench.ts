/**
 * `GET /v1/job/:id` over HTTP (kept-alive node:http, as the SDK reaches DynamoDB) against the API
 * as `npm start` serves it (@hono/node-server, ACLs off), as a ratio to a raw GetItem of the same item (consistent, as the API reads it) through
 * the SDK's plain client, one request after another and the calls in turns, all measured in the same run against the same DynamoDB
 * Local. Figure: p50 GET ÷ p50 GetItem (goal ≤ 1.2).
 *
 *   npm run bench -- job-get
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { call, closeConnections } from './keep-alive-client';
import { logAsNpmStart } from './npm-start-logging';
import { benchStack } from './stack';
import { jobKey } from '../shared/nomad/store/keys';
import { percentile } from './percentile';
import { serveApi } from './serve-api';

const ROUNDS = Number(process.env.BENCH_JOB_GET_ROUNDS ?? 1000);
const WARMUP = 50;

const stack = await benchStack();
const print = logAsNpmStart();
const { url, close: closeApi } = await serveApi();

/**
 * Times the calls in turns, one of each per round in an order that rotates from round to round,
 * so a change in the machine's load weighs on all alike.
 */
async function timedInTurns<K extends string>(calls: Record<K, () => Promise<unknown>>): Promise<Record<K, number[]>> {
  const names = Object.keys(calls) as K[];
  const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const started = performance.now();
      await calls[name]();
      if (i >= WARMUP) times[name].push(performance.now() - started);
    }
  }
  return times;
}

try {
  const job = {
    ID: 'bench-get',
    Datacenters: ['dc1'],
    TaskGroups: [{ Name: 'app', Count: 3, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep', args: ['60'] }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
  };
  const registered = await call('POST', `${url}/v1/jobs`, JSON.stringify({ Job: job }));
  if (registered.status !== 200) throw new Error(`register: ${registered.status} ${registered.text}`);

  // The leanest GetItem the SDK makes (plain client, middleware resolved once, as the API's job
  // reads use), and the document client's, which most code uses, for reference.
  const plain = new DynamoDBClient({ cacheMiddleware: true });
  const document = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const key = jobKey('default', 'bench-get');
  const times = await timedInTurns({
    raw: () => plain.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { PK: { S: key.PK }, SK: { S: key.SK } }, ConsistentRead: true })),
    document: () => document.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: key, ConsistentRead: true })),
    api: async () => {
      const response = await call('GET', `${url}/v1/job/bench-get`);
      if (response.status !== 200) throw new Error(`GET: ${response.status}`);
    },
  });
  const [rawP50, documentP50, apiP50] = [percentile(times.raw, 50), percentile(times.document, 50), percentile(times.api, 50)];
  print(`raw GetItem p50 ${rawP50.toFixed(2)} ms, p99 ${percentile(times.raw, 99).toFixed(2)} ms (the document client's: p50 ${documentP50.toFixed(2)} ms)`);
  print(`GET /v1/job/:id p50 ${apiP50.toFixed(2)} ms, p99 ${percentile(times.api, 99).toFixed(2)} ms`);
  print(`ratio GET /v1/job/:id ÷ GetItem (p50): ${(apiP50 / rawP50).toFixed(2)} (goal ≤ 1.2; ÷ the document client's GetItem: ${(apiP50 / documentP50).toFixed(2)})`);
} finally {
  closeConnections();
  closeApi();
  await stack.stop();
}
