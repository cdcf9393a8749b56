/**
 * End to end on the local stack: jobs registered through the service layer, evaluations taken
 * from the SQS stand-in by workers (each playing one Lambda instance), plans committed to DynamoDB
 * Local with conditional transactions. Figure: committed placements per second, divided by the raw
 * BatchWriteItem items per second the same DynamoDB Local takes for the same allocation items,
 * written with the same concurrency, measured in the same run (goal ≥ 0.8). Measured with one
 * worker and with four at once (BENCH_E2E_WORKERS=1,4).
 *
 * It also counts what the workers asked of DynamoDB (shared/aws/request-count.ts): requests by
 * kind, read and write request units, per placement and per evaluation; docs/scale.md's cost
 * arithmetic starts from these counts.
 *
 *   npm run bench -- end-to-end
 */
import { BatchWriteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { handler as worker } from '../functions/worker';
import { SqsPoller } from '../infra/local/sqs-poller';
import { dynamo } from '../shared/aws/clients';
import { countDynamoRequests } from '../shared/aws/request-count';
import { readJobAllocs } from '../shared/nomad/store/allocs';
import { itemSize } from '../shared/storage/item-size';
import { registerBenchJob, registerBenchNodes } from './cluster';
import { benchStack } from './stack';

const NODES = Number(process.env.BENCH_E2E_NODES ?? 400);
const JOBS = Number(process.env.BENCH_E2E_JOBS ?? 100);
const COUNT = Number(process.env.BENCH_E2E_COUNT ?? 100);
const CONCURRENCY = (process.env.BENCH_E2E_WORKERS ?? '1,4').split(',').map(Number);
const GOAL = 0.8;

async function registerJobs(prefix: string): Promise<void> {
  for (let j = 0; j < JOBS; j++) await registerBenchJob(`${prefix}-${j}`, COUNT);
}

/** Workers until the queue stays empty; returns the committed placements per second and what they asked of DynamoDB. */
async function place(prefix: string, workers: number) {
  const started = performance.now();
  let idle = 0;
  let evaluations = 0;
  const counted = await countDynamoRequests(() => Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      const poller = new SqsPoller({ queueUrl: process.env.EVAL_QUEUE_URL!, handler: worker, functionName: `bench-${i}` });
      for (;;) {
        // One evaluation at a time, as one Lambda instance works through its batch.
        const handled = await poller.pollOnce(0, 1);
        if (handled > 0) {
          evaluations += handled;
          idle = 0;
          continue;
        }
        if (++idle > workers * 3) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  ));
  const ms = performance.now() - started - 50 * 3;
  const allocs = (await Promise.all(Array.from({ length: JOBS }, (_, j) => readJobAllocs('default', `${prefix}-${j}`)))).flat();
  const live = allocs.filter((stored) => stored.live);
  // Each node a job's placements land on is one node usage write (docs/scale.md's cost arithmetic).
  const nodesPerJob = new Set(live.map((stored) => `${stored.alloc.JobID} ${stored.alloc.NodeID}`)).size / JOBS;
  return { placed: live.length, rate: (live.length / ms) * 1000, evaluations, counted, nodesPerJob };
}

function perKind(requests: string[], per: number): string {
  const kinds = new Map<string, number>();
  for (const request of requests) kinds.set(request, (kinds.get(request) ?? 0) + 1);
  return [...kinds].map(([kind, count]) => `${kind.replace(/Command$/, '')} ${(count / per).toFixed(3)}`).join(', ');
}

/** The size of one allocation item as DynamoDB meters it, for docs/scale.md's per-KB arithmetic. */
let itemBytes = 0;

/** `count` copies of the round's allocation items under keys of their own (`tag` keeps two baselines apart): out of the by-ID and per-node indexes (GSI2, GSI3), still in the namespace lists (GSI1, GSI4). */
async function copiesOf(prefix: string, count: number, tag: string): Promise<Record<string, unknown>[]> {
  const items = (
    await dynamo().send(
      new QueryCommand({ TableName: process.env.TABLE_NAME, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :alloc)', ExpressionAttributeValues: { ':pk': `JOB#default#${prefix}-0`, ':alloc': 'ALLOC#' } }),
    )
  ).Items!;
  itemBytes = itemSize(items[0]);
  return Array.from({ length: count }, (_, i) => ({ ...items[i % items.length], PK: `${tag}#${prefix}#${i % 1000}`, SK: `ALLOC#${i}`, GSI2PK: undefined, GSI3PK: undefined }));
}

/** Writes `batches`, `writers` at once; returns items per second. */
async function timed(batches: Record<string, unknown>[][], writers: number, write: (batch: Record<string, unknown>[]) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < batches.length) await write(batches[next++]);
    }),
  );
  return (batches.flat().length / (performance.now() - started)) * 1000;
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** The same allocation items, raw BatchWriteItem, no conditions, `writers` at once. */
async function rawWrites(prefix: string, count: number, writers: number): Promise<number> {
  const table = process.env.TABLE_NAME!;
  return timed(chunks(await copiesOf(prefix, count, 'RAW'), 25), writers, async (batch) => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const result = await dynamo().send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  });
}

/**
 * For reference, what the commit path is made of: the same items as conditional puts
 * (`attribute_not_exists`), 100 to a TransactWriteItems, `writers` at once, on a sample.
 */
async function rawTransactions(prefix: string, count: number, writers: number): Promise<number> {
  const table = process.env.TABLE_NAME!;
  return timed(chunks(await copiesOf(prefix, count, 'TXN'), 100), writers, async (batch) => {
    await dynamo().send(new TransactWriteCommand({ TransactItems: batch.map((Item) => ({ Put: { TableName: table, Item, ConditionExpression: 'attribute_not_exists(PK)' } })) }));
  });
}

const stack = await benchStack();
try {
  await registerBenchNodes(NODES, 'bench');
  console.log(`cluster: ${NODES} nodes; each round ${JOBS} jobs × ${COUNT} allocations`);
  for (const workers of CONCURRENCY) {
    const prefix = `w${workers}`;
    await registerJobs(prefix);
    const { placed, rate, evaluations, counted, nodesPerJob } = await place(prefix, workers);
    const raw = await rawWrites(prefix, placed, workers);
    const transactions = await rawTransactions(prefix, Math.min(placed, 2_000), workers);
    const ratio = rate / raw;
    console.log(
      `${workers} worker(s): ${placed}/${JOBS * COUNT} placed, ${Math.round(rate)} committed placements/s; raw BatchWriteItem with ${workers} writer(s): ${Math.round(raw)} items/s; ratio ${ratio.toFixed(2)} (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'})`,
    );
    console.log(`  for reference: raw TransactWriteItems of 100 conditional puts, ${workers} writer(s): ${Math.round(transactions)} items/s (placements/s ÷ that: ${(rate / transactions).toFixed(2)})`);
    const { requests, readUnits, writeUnits } = counted;
    console.log(
      `  DynamoDB per evaluation (${evaluations}): ${(requests.length / evaluations).toFixed(2)} requests (${perKind(requests, evaluations)}); per placement: ${(readUnits / placed).toFixed(3)} RRU, ${(writeUnits / placed).toFixed(3)} WRU as DynamoDB Local reports them; an allocation item is ${(itemBytes / 1024).toFixed(2)} KB`,
    );
    console.log(`  a job's ${COUNT} placements went to ${nodesPerJob.toFixed(2)} nodes on average: as many node usage writes`);
  }
} finally {
  await stack.stop();
}
process.exit(0);
