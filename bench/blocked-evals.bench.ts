/**
 * New job register → placed while 1,000 evaluations are blocked (their jobs target datacenters
 * with no nodes) and a node joins every second, on the local stack `npm start` runs, as a ratio
 * to the same latency measured in the same run before anything is blocked (with the same node
 * churn). Each joining node lands in a datacenter one blocked job is waiting for, so every join
 * wakes, and places, exactly one of them; nothing else may be read or queued on its account.
 *
 * A third phase is a wake storm: every blocked job also targets the datacenter `storm`, and a node
 * of a class never seen before joins there, too small for any of them, so all 1,000 are woken at
 * once (and block again) while the fresh jobs and the one-a-second joins go on. The wakes wait in
 * their own queue behind fresh work, so the fresh jobs' latency must hold.
 *
 *   npm run bench -- blocked-evals      (BENCH_BLOCKED=200 for a quick run)
 */
import { benchLocalStack } from './stack';
import { percentile } from './percentile';

const BLOCKED = Number(process.env.BENCH_BLOCKED ?? 1_000);
const FRESH_JOBS = Number(process.env.BENCH_BLOCKED_FRESH ?? 40);
const FRESH_EVERY_MS = 250;
const JOIN_EVERY_MS = 1_000;
const TIMEOUT_MS = 10 * 60_000;
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

// No agent heartbeats the benchmark's nodes, so the periodic duties (which would mark them down) are held off.
const stack = await benchLocalStack({ agent: false, periodicMs: 3_600_000 });

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${stack.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

let nodes = 0;
async function registerNode(datacenter: string, cpu = 4_000, memoryMB = 16_384, nodeClass = ''): Promise<void> {
  const n = nodes++;
  await call('PUT', '/v1/node/register', {
    Node: {
      ID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      Name: `churn-${n}`,
      Datacenter: datacenter,
      NodeClass: nodeClass,
      Attributes: { 'kernel.name': 'linux' },
      Drivers: { raw_exec: { Detected: true, Healthy: true } },
      NodeResources: { Cpu: { CpuShares: cpu }, Memory: { MemoryMB: memoryMB }, Disk: { DiskMB: 100_000 } },
    },
  });
}

function job(id: string, ...datacenters: string[]) {
  return {
    Job: {
      ID: id,
      Datacenters: datacenters,
      TaskGroups: [{ Name: 'app', Count: 1, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep' }, Resources: { CPU: 10, MemoryMB: 10 } }] }],
    },
  };
}

async function placedCount(jobId: string): Promise<number> {
  return ((await call('GET', `/v1/job/${jobId}/allocations`)) as unknown[]).length;
}

/** Fresh placeable jobs, one every FRESH_EVERY_MS, while a node joins `joinDatacenter(i)` every second: their register → placed latencies. */
async function measure(phase: string, joinDatacenter: (i: number) => string): Promise<number[]> {
  let stop = false;
  const churn = (async () => {
    for (let i = 0; !stop; i++) {
      await registerNode(joinDatacenter(i));
      await new Promise((resolve) => setTimeout(resolve, JOIN_EVERY_MS));
    }
  })();
  const latencies: number[] = [];
  try {
    for (let n = 0; n < FRESH_JOBS; n++) {
      const id = `${phase}-${n}`;
      const started = performance.now();
      await call('POST', '/v1/jobs', job(id, 'dc1'));
      while ((await placedCount(id)) < 1) {
        if (performance.now() - started > TIMEOUT_MS) throw new Error(`${id} not placed after ${TIMEOUT_MS / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, FRESH_EVERY_MS));
    }
  } finally {
    stop = true;
    await churn;
  }
  return latencies;
}

async function blockedCount(): Promise<number> {
  const filter = encodeURIComponent('Status == "blocked"');
  return ((await call('GET', `/v1/evaluations?filter=${filter}`)) as unknown[]).length;
}

try {
  await registerNode('dc1', 1_000_000);
  // Baseline: the same churn into datacenters nothing waits for.
  const baseline = await measure('baseline', (i) => `idle-${i}`);

  const blockStarted = performance.now();
  for (let start = 0; start < BLOCKED; start += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, BLOCKED - start) }, (_, k) => call('POST', '/v1/jobs', job(`waiting-${start + k}`, `wait-${start + k}`, 'storm'))),
    );
  }
  while ((await blockedCount()) < BLOCKED) {
    if (performance.now() - blockStarted > TIMEOUT_MS) throw new Error(`fewer than ${BLOCKED} evaluations blocked after ${TIMEOUT_MS / 1000} s`);
    // Each look lists every evaluation through the API: looked at too often, it slows what it waits for.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const blockMs = performance.now() - blockStarted;

  // Each join wakes the one job waiting for its datacenter.
  const loaded = await measure('fresh', (i) => `wait-${i}`);
  const woken = (await Promise.all(Array.from({ length: Math.min(nodes, BLOCKED) }, (_, i) => placedCount(`waiting-${i}`)))).filter((count) => count > 0).length;

  // The storm: one node of a new class, with too little memory for any waiting job, wakes them all.
  const joinedBefore = nodes;
  await registerNode('storm', 4_000, 1, 'storm');
  const storm = await measure('storm', (i) => `wait-${joinedBefore + i}`);

  const line = (label: string, p: number, busy: number[], what: string) => {
    const base = percentile(baseline, p);
    const value = percentile(busy, p);
    console.log(`  ${label}  ${value.toFixed(1)} ms ${what} vs ${base.toFixed(1)} ms with none: ${(value / base).toFixed(2)}×`);
  };
  console.log(`${BLOCKED} evaluations blocked in ${(blockMs / 1000).toFixed(1)} s; a node joined every ${JOIN_EVERY_MS / 1000} s, ${woken} waiting job(s) placed by the joins`);
  console.log(`fresh job register → placed, ${FRESH_JOBS} jobs per phase (worker concurrency ${process.env.WORKER_CONCURRENCY ?? 'default'}; goal p99 ≤ 500 ms):`);
  line('p50', 50, loaded, `with ${BLOCKED} blocked`);
  line('p99', 99, loaded, `with ${BLOCKED} blocked`);
  line('p50', 50, storm, `while all ${BLOCKED} are woken at once`);
  line('p99', 99, storm, `while all ${BLOCKED} are woken at once`);
} finally {
  await stack.stop();
}
process.exit(0);
