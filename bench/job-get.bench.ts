/**
 * `GET /v1/job/:id` over HTTP (kept-alive node:http, as the SDK reaches DynamoDB) against the API
 * as `npm start` serves it (@hono/node-server, ACLs off), as a ratio to a raw GetItem of the same item (consistent, as the API reads it) through
 * the SDK's plain client, one request after another and the calls in turns, all measured in the same run against the same DynamoDB
 * Local. Figure: p50 GET ÷ p50 GetItem (goal ≤ 1.2). Beside it the same GET through the API
 * Lambda's handler as API Gateway invokes it (an HTTP API event in, the answer out): on AWS the
 * HTTP hop is API Gateway's, so this is what the function itself adds to the GetItem.
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
const { handler } = await import('../functions/api');
type LambdaEvent = Parameters<typeof handler>[0];
type LambdaContext = Parameters<typeof handler>[1];

/** An API Gateway HTTP API (payload 2.0) event, as its `$default` route hands a GET to the function. */
function getEvent(path: string, requestId: string): LambdaEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example.com' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  } as unknown as LambdaEvent;
}

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

let invocations = 0;
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
    lambda: async () => {
      const answer = (await handler(getEvent('/v1/job/bench-get', `bench-${invocations}`), { awsRequestId: `bench-${invocations++}` } as LambdaContext)) as { statusCode: number };
      if (answer.statusCode !== 200) throw new Error(`GET through the handler: ${answer.statusCode}`);
    },
  });
  const lambdaP50 = percentile(times.lambda, 50);
  const [rawP50, documentP50, apiP50] = [percentile(times.raw, 50), percentile(times.document, 50), percentile(times.api, 50)];
  print(`raw GetItem p50 ${rawP50.toFixed(2)} ms, p99 ${percentile(times.raw, 99).toFixed(2)} ms (the document client's: p50 ${documentP50.toFixed(2)} ms)`);
  print(`GET /v1/job/:id p50 ${apiP50.toFixed(2)} ms, p99 ${percentile(times.api, 99).toFixed(2)} ms`);
  print(`ratio GET /v1/job/:id ÷ GetItem (p50): ${(apiP50 / rawP50).toFixed(2)} (goal ≤ 1.2; ÷ the document client's GetItem: ${(apiP50 / documentP50).toFixed(2)})`);
  print(`through the Lambda handler as API Gateway invokes it: p50 ${lambdaP50.toFixed(2)} ms, p99 ${percentile(times.lambda, 99).toFixed(2)} ms, ratio ÷ GetItem ${(lambdaP50 / rawP50).toFixed(2)}`);
} finally {
  closeConnections();
  closeApi();
  await stack.stop();
}
