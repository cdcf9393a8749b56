/**
 * One job of count 50,000 (the edge's largest group count) placed by the local stack `npm start`
 * runs, where the worker shares the process with the API. Figures, each against a baseline
 * measured in the same run on the same stack before the job is submitted:
 * - API latency while the job is placed (p50 and p99 of `GET /v1/jobs` and `GET /v1/job/:id`,
 *   one request after another), as a ratio to the same requests with nothing being placed;
 * - the process's peak resident memory while the job is placed, as a ratio to it when idle.
 * The worker plans and commits in slices (WORKER_SLICE_PLACEMENTS) and hands the evaluation to
 * the next invocation after WORKER_EVAL_BUDGET_MS, so neither figure grows with the count.
 *
 *   npm run bench -- large-count          (BENCH_LARGE_COUNT=5000 for a quick run)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { benchLocalStack } from './stack';

const COUNT = Number(process.env.BENCH_LARGE_COUNT ?? 50_000);
const NODES = Number(process.env.BENCH_LARGE_NODES ?? 100);
const BASELINE_MS = Number(process.env.BENCH_LARGE_BASELINE_MS ?? 15_000);
const TIMEOUT_MS = 30 * 60_000;
const MB = 1024 * 1024;
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

// No agent heartbeats the benchmark's nodes, so the periodic duties (which would mark them down) are held off.
const stack = await benchLocalStack({ agent: false, periodicMs: 3_600_000 });

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${stack.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function job(id: string, count: number) {
  return {
    Job: {
      ID: id,
      Datacenters: ['dc1'],
      TaskGroups: [{ Name: 'app', Count: count, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep' }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/** Requests one after another until `done()`, alternating the list and a job read; their latencies. */
async function probe(done: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  for (let n = 0; !done(); n++) {
    const started = performance.now();
    await call('GET', n % 2 === 0 ? '/v1/jobs' : '/v1/job/probe');
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return latencies;
}

/** Peak resident memory and event-loop delay (what the worker's own work makes every request wait) over a phase. */
function processSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
      return { peak, loopP99: delay.percentile(99) / 1e6, loopMax: delay.max / 1e6 };
    },
  };
}

try {
  for (let n = 0; n < NODES; n++) {
    await call('PUT', '/v1/node/register', {
      Node: {
        ID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        Name: `large-${n}`,
        Datacenter: 'dc1',
        Drivers: { raw_exec: { Detected: true, Healthy: true } },
        NodeResources: { Cpu: { CpuShares: 64_000 }, Memory: { MemoryMB: 65_536 }, Disk: { DiskMB: 1_000_000 } },
      },
    });
  }
  const probeJob = await call('POST', '/v1/jobs', job('probe', 1));
  while ((await call('GET', `/v1/evaluation/${probeJob.EvalID}`)).Status !== 'complete') await new Promise((resolve) => setTimeout(resolve, 100));

  // Baseline: the same requests and the same process with nothing being placed.
  const idleProcess = processSampler();
  const baselineEnd = performance.now() + BASELINE_MS;
  const idle = await probe(() => performance.now() > baselineEnd);
  const idleStats = idleProcess.stop();

  const busyProcess = processSampler();
  const started = performance.now();
  const registered = await call('POST', '/v1/jobs', job('big', COUNT));
  let complete = false;
  const watcher = (async () => {
    while (!complete) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const evaluation = await call('GET', `/v1/evaluation/${registered.EvalID}`);
      if (evaluation.Status !== 'pending') complete = true;
      if (performance.now() - started > TIMEOUT_MS) throw new Error(`count ${COUNT} not placed after ${TIMEOUT_MS / 60_000} minutes`);
    }
  })();
  const busy = await probe(() => complete);
  await watcher;
  const placingMs = performance.now() - started;
  const busyStats = busyProcess.stop();
  // The summary, not the allocation list: listing 50,000 allocations is a benchmark of its own.
  const summary = (await call('GET', '/v1/job/big/summary')).Summary.app;
  const placed = summary.Starting + summary.Running + summary.Complete;
  const evaluation = await call('GET', `/v1/evaluation/${registered.EvalID}`);

  const line = (label: string, idleMs: number, busyMs: number) =>
    console.log(`  ${label}  ${busyMs.toFixed(1)} ms placing vs ${idleMs.toFixed(1)} ms idle: ${(busyMs / idleMs).toFixed(2)}×`);
  console.log(`count-${COUNT} job on ${NODES} nodes: evaluation ${evaluation.Status}, ${placed} placed, in ${(placingMs / 1000).toFixed(1)} s (${Math.round(placed / (placingMs / 1000))}/s)`);
  console.log(`API latency, ${busy.length} requests while placing, ${idle.length} idle (GET /v1/jobs and GET /v1/job/:id):`);
  line('p50', percentile(idle, 50), percentile(busy, 50));
  line('p99', percentile(idle, 99), percentile(busy, 99));
  console.log(`  max  ${Math.max(...busy).toFixed(1)} ms placing vs ${Math.max(...idle).toFixed(1)} ms idle`);
  console.log(`event-loop delay of the process: p99 ${busyStats.loopP99.toFixed(1)} ms placing vs ${idleStats.loopP99.toFixed(1)} ms idle; max ${busyStats.loopMax.toFixed(1)} ms vs ${idleStats.loopMax.toFixed(1)} ms`);
  console.log(
    `peak resident memory of the process (API, worker, SQS and S3 stand-ins): ${Math.round(busyStats.peak / MB)} MB placing vs ${Math.round(idleStats.peak / MB)} MB idle: ${(busyStats.peak / idleStats.peak).toFixed(2)}×`,
  );
} finally {
  await stack.stop();
}
process.exit(0);
