/**
 * New job register → placed while 1,000 evaluations are blocked (their jobs target datacenters
 * with no nodes) and a node joins every second, on the local stack `npm start` runs, as a ratio
 * to the same latency measured in the same run before anything is blocked (with the same node
 * churn). Each joining node lands in a datacenter one blocked job is waiting for, so every join
 * wakes, and places, exactly one of them; nothing else may be read or queued on its account.
 *
 *   npm run bench -- blocked-evals      (BENCH_BLOCKED=200 for a quick run)
 */
import { benchLocalStack } from './stack';

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
async function registerNode(datacenter: string, cpu = 4_000): Promise<void> {
  const n = nodes++;
  await call('PUT', '/v1/node/register', {
    Node: {
      ID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      Name: `churn-${n}`,
      Datacenter: datacenter,
      Attributes: { 'kernel.name': 'linux' },
      Drivers: { raw_exec: { Detected: true, Healthy: true } },
      NodeResources: { Cpu: { CpuShares: cpu }, Memory: { MemoryMB: 16_384 }, Disk: { DiskMB: 100_000 } },
    },
  });
}

function job(id: string, datacenter: string) {
  return {
    Job: {
      ID: id,
      Datacenters: [datacenter],
      TaskGroups: [{ Name: 'app', Count: 1, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep' }, Resources: { CPU: 10, MemoryMB: 10 } }] }],
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)] ?? 0;
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
      Array.from({ length: Math.min(16, BLOCKED - start) }, (_, k) => call('POST', '/v1/jobs', job(`waiting-${start + k}`, `wait-${start + k}`))),
    );
  }
  while ((await blockedCount()) < BLOCKED) {
    if (performance.now() - blockStarted > TIMEOUT_MS) throw new Error(`fewer than ${BLOCKED} evaluations blocked after ${TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const blockMs = performance.now() - blockStarted;

  // Each join wakes the one job waiting for its datacenter.
  const loaded = await measure('fresh', (i) => `wait-${i}`);
  const woken = (await Promise.all(Array.from({ length: Math.min(nodes, BLOCKED) }, (_, i) => placedCount(`waiting-${i}`)))).filter((count) => count > 0).length;

  const line = (label: string, p: number) => {
    const base = percentile(baseline, p);
    const busy = percentile(loaded, p);
    console.log(`  ${label}  ${busy.toFixed(1)} ms with ${BLOCKED} blocked vs ${base.toFixed(1)} ms with none: ${(busy / base).toFixed(2)}×`);
  };
  console.log(`${BLOCKED} evaluations blocked in ${(blockMs / 1000).toFixed(1)} s; a node joined every ${JOIN_EVERY_MS / 1000} s, ${woken} waiting job(s) placed by the joins`);
  console.log(`fresh job register → placed, ${FRESH_JOBS} jobs per phase (worker concurrency ${process.env.WORKER_CONCURRENCY ?? 'default'}):`);
  line('p50', 50);
  line('p99', 99);
} finally {
  await stack.stop();
}
process.exit(0);
