/**
 * End to end on the local stack: jobs registered through the service layer, evaluations taken
 * from the SQS stand-in by workers (each playing one Lambda instance), plans committed to DynamoDB
 * Local with conditional transactions. Figure: committed placements per second, divided by the raw
 * BatchWriteItem items per second the same DynamoDB Local takes for the same allocation items,
 * written with the same concurrency, measured in the same run (goal ≥ 0.5). Measured with one
 * worker and with several at once.
 *
 *   npm run bench -- end-to-end
 */
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handler as worker } from '../functions/worker';
import { SqsPoller } from '../infra/local/sqs-poller';
import { dynamo } from '../shared/aws/clients';
import { readJobAllocs } from '../shared/nomad/store/allocs';
import { registerBenchJob, registerBenchNodes } from './cluster';
import { benchStack } from './stack';

const NODES = Number(process.env.BENCH_E2E_NODES ?? 400);
const JOBS = Number(process.env.BENCH_E2E_JOBS ?? 100);
const COUNT = Number(process.env.BENCH_E2E_COUNT ?? 100);
const CONCURRENCY = (process.env.BENCH_E2E_WORKERS ?? '1,4').split(',').map(Number);
const GOAL = 0.5;

async function registerJobs(prefix: string): Promise<void> {
  for (let j = 0; j < JOBS; j++) await registerBenchJob(`${prefix}-${j}`, COUNT);
}

/** Workers until the queue stays empty; returns the committed placements per second. */
async function place(prefix: string, workers: number): Promise<{ placed: number; rate: number }> {
  const started = performance.now();
  let idle = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      const poller = new SqsPoller({ queueUrl: process.env.EVAL_QUEUE_URL!, handler: worker, functionName: `bench-${i}` });
      for (;;) {
        if ((await poller.pollOnce(0)) > 0) {
          idle = 0;
          continue;
        }
        if (++idle > workers * 3) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
  const ms = performance.now() - started - 50 * 3;
  const allocs = (await Promise.all(Array.from({ length: JOBS }, (_, j) => readJobAllocs('default', `${prefix}-${j}`)))).flat();
  const placed = allocs.filter((stored) => stored.live).length;
  return { placed, rate: (placed / ms) * 1000 };
}

/** The same allocation items, raw BatchWriteItem, no conditions, `writers` at once. */
async function rawWrites(prefix: string, count: number, writers: number): Promise<number> {
  const items = (
    await dynamo().send(
      new QueryCommand({ TableName: process.env.TABLE_NAME, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :alloc)', ExpressionAttributeValues: { ':pk': `JOB#default#${prefix}-0`, ':alloc': 'ALLOC#' } }),
    )
  ).Items!;
  const copies = Array.from({ length: count }, (_, i) => ({ ...items[i % items.length], PK: `RAW#${prefix}#${i % 1000}`, SK: `ALLOC#${i}`, GSI2PK: undefined, GSI3PK: undefined }));
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < copies.length; i += 25) batches.push(copies.slice(i, i + 25));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < batches.length) {
        let pending = batches[next++].map((Item) => ({ PutRequest: { Item } }));
        while (pending.length > 0) {
          const result = await dynamo().send(new BatchWriteCommand({ RequestItems: { [process.env.TABLE_NAME!]: pending } }));
          pending = (result.UnprocessedItems?.[process.env.TABLE_NAME!] ?? []) as typeof pending;
        }
      }
    }),
  );
  return (copies.length / (performance.now() - started)) * 1000;
}

const stack = await benchStack();
try {
  await registerBenchNodes(NODES, 'bench');
  console.log(`cluster: ${NODES} nodes; each round ${JOBS} jobs × ${COUNT} allocations`);
  for (const workers of CONCURRENCY) {
    const prefix = `w${workers}`;
    await registerJobs(prefix);
    const { placed, rate } = await place(prefix, workers);
    const raw = await rawWrites(prefix, placed, workers);
    const ratio = rate / raw;
    console.log(
      `${workers} worker(s): ${placed}/${JOBS * COUNT} placed, ${Math.round(rate)} committed placements/s; raw BatchWriteItem with ${workers} writer(s): ${Math.round(raw)} items/s; ratio ${ratio.toFixed(2)} (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'})`,
    );
  }
} finally {
  await stack.stop();
}
process.exit(0);
