/**
 * `GET /v1/job/:id` over HTTP (kept-alive node:http, as the SDK reaches DynamoDB) against the API
 * as `npm start` serves it (@hono/node-server, ACLs off), as a ratio to a raw GetItem of the same item (consistent, as the API reads it) through
 * the SDK, one request after another and the two in turns, both measured in the same run against the same DynamoDB
 * Local. Figure: p50 GET ÷ p50 GetItem (goal ≤ 1.2).
 *
 *   npm run bench -- job-get
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { call, closeConnections } from './keep-alive-client';
import { logAsNpmStart } from './npm-start-logging';
import { benchStack } from './stack';
import { jobKey } from '../shared/nomad/store/keys';

const ROUNDS = Number(process.env.BENCH_JOB_GET_ROUNDS ?? 1000);
const WARMUP = 50;

const stack = await benchStack();
const print = logAsNpmStart();
const { app } = await import('../shared/http/app');
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)] ?? 0;
}

/**
 * Times both calls in turns, one of each per round and the first of a round alternating, so a
 * change in the machine's load weighs on both alike.
 */
async function timedInTurns(raw: () => Promise<unknown>, api: () => Promise<unknown>): Promise<{ raw: number[]; api: number[] }> {
  const times = { raw: [] as number[], api: [] as number[] };
  const time = async (work: () => Promise<unknown>, into: number[]) => {
    const started = performance.now();
    await work();
    into.push(performance.now() - started);
  };
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const into = i < WARMUP ? { raw: [], api: [] } : times;
    if (i % 2 === 0) {
      await time(raw, into.raw);
      await time(api, into.api);
    } else {
      await time(api, into.api);
      await time(raw, into.raw);
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

  const raw = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const rawGet = () => raw.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: jobKey('default', 'bench-get'), ConsistentRead: true }));
  const apiGet = async () => {
    const response = await call('GET', `${url}/v1/job/bench-get`);
    if (response.status !== 200) throw new Error(`GET: ${response.status}`);
  };
  const { raw: rawTimes, api: apiTimes } = await timedInTurns(rawGet, apiGet);
  const [rawP50, apiP50] = [percentile(rawTimes, 50), percentile(apiTimes, 50)];
  print(`raw GetItem p50 ${rawP50.toFixed(2)} ms, p99 ${percentile(rawTimes, 99).toFixed(2)} ms`);
  print(`GET /v1/job/:id p50 ${apiP50.toFixed(2)} ms, p99 ${percentile(apiTimes, 99).toFixed(2)} ms`);
  print(`ratio GET /v1/job/:id ÷ GetItem (p50): ${(apiP50 / rawP50).toFixed(2)} (goal ≤ 1.2)`);
} finally {
  closeConnections();
  server.close();
  await stack.stop();
}
