/**
 * End to end on the local stack: jobs registered through the API, evaluations taken from the
 * SQS stand-in by several workers at once, plans committed to DynamoDB Local with conditional
 * transactions. Figure: committed placements per second, divided by the raw BatchWriteItem
 * items per second the same DynamoDB Local takes for the same allocation items, written with the
 * same concurrency, measured in the same run (goal ≥ 0.5).
 *
 *   npm run bench -- end-to-end
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handler as worker } from '../functions/worker';
import { SqsPoller } from '../infra/local/sqs-poller';
import { dynamo } from '../shared/aws/clients';
import { registerJob } from '../shared/nomad/services/register-job';
import { registerNode } from '../shared/nomad/services/register-node';
import { readJobAllocs } from '../shared/nomad/store/allocs';
import { benchStack } from './stack';

const NODES = Number(process.env.BENCH_E2E_NODES ?? 200);
const JOBS = Number(process.env.BENCH_E2E_JOBS ?? 100);
const COUNT = Number(process.env.BENCH_E2E_COUNT ?? 100);
const WORKERS = Number(process.env.BENCH_E2E_WORKERS ?? 4);
const GOAL = 0.5;

const stack = await benchStack();
try {
  for (let n = 0; n < NODES; n++) {
    await registerNode({
      ID: randomUUID(),
      Name: `bench-${n}`,
      Datacenter: 'dc1',
      Drivers: { raw_exec: { Detected: true, Healthy: true } },
      NodeResources: { Cpu: { CpuShares: 8_000 }, Memory: { MemoryMB: 16_384 }, Disk: { DiskMB: 1_000_000 } },
    });
  }
  for (let j = 0; j < JOBS; j++) {
    await registerJob({
      job: {
        ID: `bench-${j}`,
        Datacenters: ['dc1'],
        TaskGroups: [{ Name: 'app', Count: COUNT, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep' }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
      },
      namespace: 'default',
      enforceIndex: false,
      jobModifyIndex: 0,
      evalPriority: 0,
      preserveCounts: false,
    });
  }

  // Several workers at once, each playing one Lambda instance fed by the event source.
  const wanted = JOBS * COUNT;
  const started = performance.now();
  let idle = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, i) => {
      const poller = new SqsPoller({ queueUrl: process.env.EVAL_QUEUE_URL!, handler: worker, functionName: `bench-${i}` });
      for (;;) {
        if ((await poller.pollOnce(0)) > 0) {
          idle = 0;
          continue;
        }
        if (++idle > WORKERS * 3) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
  const placedMs = performance.now() - started - 50 * 3;
  const allocs = (await Promise.all(Array.from({ length: JOBS }, (_, j) => readJobAllocs('default', `bench-${j}`)))).flat();
  const placed = allocs.filter((stored) => stored.live).length;
  const placementRate = (placed / placedMs) * 1000;

  // Baseline: the same allocation items, raw BatchWriteItem, same concurrency, no conditions.
  const items = (
    await dynamo().send(
      new QueryCommand({ TableName: process.env.TABLE_NAME, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :alloc)', ExpressionAttributeValues: { ':pk': 'JOB#default#bench-0', ':alloc': 'ALLOC#' } }),
    )
  ).Items!;
  const copies = Array.from({ length: placed }, (_, i) => ({ ...items[i % items.length], PK: `RAW#${i % 1000}`, SK: `ALLOC#${i}`, GSI2PK: undefined, GSI3PK: undefined }));
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < copies.length; i += 25) batches.push(copies.slice(i, i + 25));
  const rawStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < batches.length) {
        let pending = batches[next++].map((Item) => ({ PutRequest: { Item } }));
        while (pending.length > 0) {
          const result = await dynamo().send(new BatchWriteCommand({ RequestItems: { [process.env.TABLE_NAME!]: pending } }));
          pending = (result.UnprocessedItems?.[process.env.TABLE_NAME!] ?? []) as typeof pending;
        }
      }
    }),
  );
  const rawRate = (copies.length / (performance.now() - rawStarted)) * 1000;
  const ratio = placementRate / rawRate;

  console.log(`cluster: ${NODES} nodes, ${JOBS} jobs × ${COUNT} allocations, ${WORKERS} workers at once`);
  console.log(`placed ${placed} of ${wanted} allocations in ${(placedMs / 1000).toFixed(1)} s: ${Math.round(placementRate)} committed placements/s`);
  console.log(`baseline, raw BatchWriteItem of the same items with ${WORKERS} writers: ${Math.round(rawRate)} items/s`);
  console.log(`ratio: ${ratio.toFixed(2)}   (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'})`);
} finally {
  await stack.stop();
}
process.exit(0);
