/**
 * Time from `POST /v1/jobs` to every allocation of a count-10 job `running` on the agent that
 * `npm start` runs, on the local stack, as a ratio to the time to the same allocations being
 * placed (the scheduler's share), measured in the same run. The tasks are mock_driver tasks, so
 * the figure is the control loop's (blocking query, task start, batched status report), not
 * process start-up.
 *
 *   npm run bench -- agent-placement
 */
import { median } from './median';
import { benchLocalStack } from './stack';

const ROUNDS = 5;
const COUNT = 10;
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const bootStarted = performance.now();
const stack = await benchLocalStack({ agent: true, periodicMs: 3_600_000 });
const bootMs = performance.now() - bootStarted;

async function allocs(jobId: string): Promise<{ ClientStatus: string }[]> {
  const response = await fetch(`${stack.url}/v1/job/${jobId}/allocations`);
  return (await response.json()) as { ClientStatus: string }[];
}

const placed: number[] = [];
const running: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const id = `bench-${round}`;
    const job = {
      Job: {
        ID: id,
        Datacenters: ['dc1'],
        TaskGroups: [{ Name: 'g', Count: COUNT, Tasks: [{ Name: 't', Driver: 'mock_driver', Config: {}, Resources: { CPU: 10, MemoryMB: 10 } }] }],
      },
    };
    const start = performance.now();
    const registered = await fetch(`${stack.url}/v1/jobs`, { method: 'POST', body: JSON.stringify(job) });
    if (!registered.ok) throw new Error(`register: ${registered.status} ${await registered.text()}`);
    let placedAt = 0;
    for (;;) {
      const list = await allocs(id);
      if (!placedAt && list.length === COUNT) placedAt = performance.now();
      if (list.length === COUNT && list.every((alloc) => alloc.ClientStatus === 'running')) break;
      if (performance.now() - start > 60_000) throw new Error(`round ${round}: not all running after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    running.push(performance.now() - start);
    placed.push(placedAt - start);
    await fetch(`${stack.url}/v1/job/${id}?purge=true`, { method: 'DELETE' });
  }
} finally {
  await stack.stop();
}

const placedMs = median(placed);
const runningMs = median(running);
console.log(`local stack with agent up in ${(bootMs / 1000).toFixed(1)} s`);
console.log(`count-${COUNT} job, median of ${ROUNDS}:`);
console.log(`  register → all placed (baseline)   ${placedMs.toFixed(0)} ms`);
console.log(`  register → all running on the agent ${runningMs.toFixed(0)} ms   (${(runningMs / placedMs).toFixed(2)}× the baseline)`);
console.log(`  rounds (running): ${running.map((ms) => ms.toFixed(0)).join(', ')} ms`);
process.exit(0);
