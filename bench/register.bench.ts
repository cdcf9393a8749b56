/**
 * Register throughput: 16 clients, each registering new jobs one after another over HTTP (kept-alive
 * node:http, as the SDK reaches DynamoDB) against the API as `npm start` serves it (@hono/node-server, ACLs off), as a ratio to 16 clients sending
 * raw TransactWriteItems of the same size (the items a register commits, copied from a stored
 * one: job, version, collection index entry, evaluation) through the SDK, both measured in the
 * same run against the same DynamoDB Local. Figure: registers/s ÷ transactions/s (goal ≥ 0.5).
 *
 *   npm run bench -- register
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { call, closeConnections } from './keep-alive-client';
import { benchStack } from './stack';
import { jobPk } from '../shared/nomad/store/keys';
import { serveApi } from './serve-api';

const CLIENTS = 16;
const PER_CLIENT = Number(process.env.BENCH_REGISTER_PER_CLIENT ?? 25);
const ROUNDS = 5;

const stack = await benchStack();
// As `npm start` serves it: no metric lines (infra/local/start.ts).
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const { url, close: closeApi } = await serveApi();
const table = process.env.TABLE_NAME!;
const raw = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true },
  unmarshallOptions: { wrapNumbers: (value: string) => Number(value) },
});

function job(id: string) {
  return {
    Job: {
      ID: id,
      Datacenters: ['dc1'],
      TaskGroups: [{ Name: 'app', Count: 3, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep', args: ['60'] }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
    },
  };
}

async function register(id: string): Promise<string> {
  const response = await call('POST', `${url}/v1/jobs`, JSON.stringify(job(id)));
  if (response.status !== 200) throw new Error(`register ${id}: ${response.status} ${response.text}`);
  return JSON.parse(response.text).EvalID;
}

/** Runs CLIENTS loops of `count` calls each, numbered from `first`; the seconds it took. */
async function timed(count: number, first: number, work: (client: number, n: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let n = first; n < first + count; n++) await work(client, n);
    }),
  );
  return (performance.now() - started) / 1000;
}

/**
 * Calls per second of each, after a warm-up of both (DynamoDB Local's JIT), measured in turns of
 * PER_CLIENT / ROUNDS calls per client so a change in the machine's load weighs on both alike.
 */
async function throughputs(a: (client: number, n: number) => Promise<unknown>, b: (client: number, n: number) => Promise<unknown>): Promise<[number, number]> {
  const per = Math.max(1, Math.floor(PER_CLIENT / ROUNDS));
  await timed(per, 0, a);
  await timed(per, 0, b);
  const seconds = [0, 0];
  for (let round = 1; round <= ROUNDS; round++) {
    seconds[0] += await timed(per, round * per, a);
    seconds[1] += await timed(per, round * per, b);
  }
  return [(CLIENTS * per * ROUNDS) / seconds[0], (CLIENTS * per * ROUNDS) / seconds[1]];
}

/** The items one register committed, as stored (job, version, evaluation in the job's partition), to copy under fresh keys. */
async function storedRegisterItems(jobId: string): Promise<Record<string, unknown>[]> {
  const partition = await raw.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': jobPk('default', jobId) } }));
  const committed = (partition.Items ?? []).filter((item) => item.SK === 'JOB' || /^(VERSION|EVAL)#/.test(String(item.SK)));
  // The collection index entry the register touches is a small item of its own.
  return [...committed, { PK: 'JOBS#default', SK: jobId, ModifyIndex: 1 }];
}

try {
  await register('bench-register-sample');
  const items = await storedRegisterItems('bench-register-sample');
  const bytes = items.reduce((total, item) => total + JSON.stringify(item).length, 0);
  const [registers, transactions] = await throughputs(
    (client, n) => register(`bench-register-${client}-${n}`),
    (client, n) =>
      raw.send(
        new TransactWriteCommand({
          TransactItems: items.map((item, i) => ({
            Put: { TableName: table, Item: { ...item, PK: `RAW#${client}#${n}#${i}`, SK: String(item.SK) }, ConditionExpression: 'attribute_not_exists(PK)' },
          })),
        }),
      ),
  );
  console.log(`one register commits ${items.length} items (~${(bytes / 1024).toFixed(1)} KB as JSON)`);
  console.log(`${CLIENTS} clients: ${registers.toFixed(0)} registers/s, ${transactions.toFixed(0)} raw TransactWriteItems/s of the same items`);
  console.log(`ratio registers/s ÷ TransactWriteItems/s: ${(registers / transactions).toFixed(2)} (goal ≥ 0.5)`);
} finally {
  closeConnections();
  closeApi();
  await stack.stop();
}
