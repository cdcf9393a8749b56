/**
 * Load run: 50 kept-alive HTTP connections for 60 s against the control plane as `npm start` runs
 * it (the API, the worker consuming the evaluation queue with its configured concurrency, the
 * periodic duties every 10 s, request lines logged as text), each connection sending a Nomad mix
 * one request after another: job registers and deregisters, job, allocation and evaluation reads,
 * paged lists, node list and heartbeats (load-client.ts). The client runs in a worker thread, so
 * its own work stays off the API's event loop. Figures: p50 and p99 per request kind and overall
 * (goal: overall p99 ≤ 500 ms), as ratios to two floors measured in the same run with the same 50
 * loops: a raw consistent GetItem through the SDK (the store) and a bare Hono answer (HTTP).
 *
 * Then nothing may be lost: no 5xx and no failed request; once the queue has drained, every
 * registered job's evaluation completed with all its allocations placed, every deregistered job's
 * evaluation completed with all its allocations stopped, no evaluation pending, blocked or failed
 * in the store. Counted from the store; the run exits non-zero when anything is lost.
 *
 *   npm run bench -- load      (BENCH_LOAD_SECONDS=15 for a quick run)
 */
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { LoadRequest, LoadResult, RegisteredJob } from './load-client';
import { call, closeConnections } from './keep-alive-client';
import { logAsNpmStart } from './npm-start-logging';
import { benchLocalStack } from './stack';
import { jobKey } from '../shared/nomad/store/keys';
import { percentile } from './percentile';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 50);
const BASELINE_SECONDS = Number(process.env.BENCH_LOAD_BASELINE_SECONDS ?? 5);
const DRAIN_SECONDS = Number(process.env.BENCH_LOAD_DRAIN_SECONDS ?? 120);
const NODES = 20;
const GOAL_P99_MS = 500;

const print = logAsNpmStart();

// What the worker and the periodic duties report (npm start prints it), kept for the verdict.
const stackLines: string[] = [];
const stack = await benchLocalStack({
  agent: false,
  periodicMs: Number(process.env.PERIODIC_INTERVAL_SECONDS ?? 10) * 1000,
  log: (line) => stackLines.push(line),
});
// Imported only now: the store reads its settings from the environment the stack has set.
const { readEval, listJobEvals, listOpenEvals } = await import('../shared/nomad/store/evals');
const { readJobAllocs } = await import('../shared/nomad/store/allocs');
const { readJob } = await import('../shared/nomad/store/jobs');

function load(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // A worker thread does not inherit tsx's loader: it registers it first, then loads the client.
    const client = JSON.stringify(new URL('./load-client.ts', import.meta.url).href);
    const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${client}); });`, { eval: true, workerData: request });
    worker.once('message', (message: { result?: LoadResult; error?: string }) => (message.result ? resolve(message.result) : reject(new Error(message.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the load client exited (${code}) without an answer`)));
  });
}

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const response = await call(method, `${stack.url}${path}`, body === undefined ? undefined : JSON.stringify(body));
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
  return response.text ? JSON.parse(response.text) : undefined;
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) results.push(...(await Promise.all(items.slice(start, start + size).map(work))));
  return results;
}

/** What is wrong with one job in the store, or undefined when it is as its last answered request left it. */
async function jobProblem(job: RegisteredJob): Promise<string | undefined> {
  const stored = await readJob('default', job.id);
  // A register answered without 200 may or may not have been committed; either way it was already counted as a failure.
  if (!stored) return job.evalId ? `${job.id}: registered but not in the store` : undefined;
  const [evaluations, allocs] = await Promise.all([listJobEvals('default', job.id), readJobAllocs('default', job.id)]);
  const open = evaluations.filter((evaluation) => !['complete', 'canceled'].includes(evaluation.Status));
  if (open.length > 0) return `${job.id}: evaluation(s) ${open.map((evaluation) => `${evaluation.ID} ${evaluation.Status}`).join(', ')}`;
  if (job.evalId && !evaluations.some((evaluation) => evaluation.ID === job.evalId)) return `${job.id}: its register evaluation ${job.evalId} is gone`;
  const running = allocs.filter((alloc) => alloc.alloc.DesiredStatus === 'run').length;
  if (job.stopEvalId) {
    const stopEval = await readEval('default', job.id, job.stopEvalId);
    if (stopEval?.Status !== 'complete') return `${job.id}: deregister evaluation ${job.stopEvalId} ${stopEval?.Status ?? 'missing'}`;
    if (running > 0) return `${job.id}: deregistered, ${running} allocation(s) still to run`;
  } else if (!stored.job.Stop && running !== job.count) {
    return `${job.id}: ${running} of ${job.count} allocation(s) placed (${evaluations.map((evaluation) => `${evaluation.ID} ${evaluation.TriggeredBy} ${evaluation.Status} ${evaluation.StatusDescription ?? ''} ${JSON.stringify(evaluation.FailedTGAllocs ?? {})}`).join('; ')})`;
  }
  return undefined;
}

const heartbeats: string[] = [];
let beating: NodeJS.Timeout | undefined;
const bare = new Hono();
bare.get('/v1/status/leader', (c) => c.json('127.0.0.1:4647'));
const bareServer = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' });
let lost = 0;
try {
  await new Promise((resolve) => bareServer.once('listening', resolve));
  for (let n = 0; n < NODES; n++) {
    const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    await api('PUT', '/v1/node/register', {
      Node: {
        ID: id,
        Name: `load-${n}`,
        Datacenter: 'dc1',
        Attributes: { 'kernel.name': 'linux' },
        Drivers: { raw_exec: { Detected: true, Healthy: true } },
        NodeResources: { Cpu: { CpuShares: 16_000 }, Memory: { MemoryMB: 32_768 }, Disk: { DiskMB: 100_000 } },
      },
    });
    heartbeats.push(id);
  }
  // The nodes' agents: a heartbeat each 10 s (a third of the TTL), so the periodic duties never mark them down.
  beating = setInterval(() => {
    for (const id of heartbeats) void call('PUT', `${stack.url}/v1/node/${id}/heartbeat`).catch(() => undefined);
  }, 10_000);
  await api('POST', '/v1/jobs', {
    Job: { ID: 'load-probe', Datacenters: ['dc1'], TaskGroups: [{ Name: 'app', Count: 1, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep' }, Resources: { CPU: 20, MemoryMB: 16 } }] }] },
  });

  const common = { seconds: BASELINE_SECONDS, connections: CONNECTIONS, nodeIds: heartbeats };
  const hono = await load({ ...common, mode: 'hono', url: `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}` });
  const getItem = await load({ ...common, mode: 'getitem', url: '', table: process.env.TABLE_NAME, key: jobKey('default', 'load-probe') });
  const started = performance.now();
  const result = await load({ ...common, seconds: SECONDS, mode: 'api', url: stack.url });
  const elapsed = (performance.now() - started) / 1000;

  // Drain: wait until no evaluation is pending, then check every job; again until the deadline.
  const drainStarted = performance.now();
  let problems: string[] = [];
  for (;;) {
    const pending = await listOpenEvals('pending');
    if (pending.length === 0) {
      problems = (await inBatches(result.jobs, 16, jobProblem)).filter((problem): problem is string => problem !== undefined);
      if (problems.length === 0) break;
    } else {
      problems = [`${pending.length} evaluation(s) still pending`];
    }
    if (performance.now() - drainStarted > DRAIN_SECONDS * 1000) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const [pending, blocked] = await Promise.all([listOpenEvals('pending'), listOpenEvals('blocked')]);

  const all = Object.values(result.latencies).flat();
  const kinds = Object.keys(result.latencies).sort((a, b) => result.latencies[b]!.length - result.latencies[a]!.length);
  const [floorP50, floorP99] = [percentile(getItem.latencies['raw GetItem']!, 50), percentile(getItem.latencies['raw GetItem']!, 99)];
  const row = (label: string, values: number[]) =>
    `  ${label.padEnd(18)} ${String(values.length).padStart(6)}  p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(values, 99).toFixed(1).padStart(7)} ms  (${(percentile(values, 50) / floorP50).toFixed(2)}× / ${(percentile(values, 99) / floorP99).toFixed(2)}× GetItem)`;
  print(`${CONNECTIONS} connections, ${SECONDS} s, worker concurrency ${process.env.WORKER_CONCURRENCY ?? 'default'}: ${all.length} requests, ${(all.length / elapsed).toFixed(0)}/s`);
  for (const kind of kinds) print(row(kind, result.latencies[kind]!));
  print(row('overall', all));
  for (const [label, run] of [['raw GetItem', getItem], ['bare Hono answer', hono]] as const) {
    const values = run.latencies[label]!;
    print(`  floor: ${label}, same ${CONNECTIONS} loops for ${BASELINE_SECONDS} s: ${values.length} calls, p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`);
  }
  const overallP99 = percentile(all, 99);
  print(`overall p99 ${overallP99.toFixed(1)} ms: ${overallP99 <= GOAL_P99_MS ? 'within' : 'OVER'} the goal of ${GOAL_P99_MS} ms; p99 ÷ GetItem p99 ${(overallP99 / floorP99).toFixed(2)}, ÷ bare Hono p99 ${(overallP99 / percentile(hono.latencies['bare Hono answer']!, 99)).toFixed(2)}`);

  const serverErrors = Object.entries(result.statuses).flatMap(([kind, statuses]) =>
    Object.entries(statuses)
      .filter(([status]) => status === 'error' || Number(status) >= 500)
      .map(([status, count]) => `${kind} ${status} ×${count}`),
  );
  const unexpected = Object.entries(result.statuses).flatMap(([kind, statuses]) =>
    Object.entries(statuses)
      .filter(([status]) => status !== '200')
      .map(([status, count]) => `${kind} ${status} ×${count}`),
  );
  const registered = result.jobs.filter((job) => job.evalId).length;
  const deregistered = result.jobs.filter((job) => job.stopEvalId).length;
  const allocs = (await inBatches(result.jobs, 16, (job) => readJobAllocs('default', job.id))).flat();
  print(
    `store after ${drainSeconds.toFixed(1)} s of drain: ${registered} jobs registered, ${deregistered} deregistered; ` +
      `${allocs.filter((alloc) => alloc.alloc.DesiredStatus === 'run').length} allocations to run, ${allocs.filter((alloc) => alloc.alloc.DesiredStatus === 'stop').length} stopped; ` +
      `${pending.length} evaluation(s) pending, ${blocked.length} blocked`,
  );
  lost = problems.length + serverErrors.length + pending.length + blocked.length;
  if (unexpected.length > 0) print(`answers other than 200: ${unexpected.join(', ')}`);
  for (const failure of result.failures) print(`  ${failure}`);
  if (problems.length > 0) print(`LOST (${problems.length}):\n  ${problems.slice(0, 20).join('\n  ')}`);
  const now = Date.now();
  for (const evaluation of [...pending, ...blocked].slice(0, 10)) {
    print(`  ${evaluation.Status} ${evaluation.ID} of ${evaluation.JobID} (${evaluation.TriggeredBy}), created ${((now - evaluation.CreateTime / 1e6) / 1000).toFixed(0)} s ago, modified ${((now - evaluation.ModifyTime / 1e6) / 1000).toFixed(0)} s ago`);
  }
  const reported = stackLines.filter((line) => !line.startsWith('starting') && !line.startsWith('stand-ins'));
  if (reported.length > 0) print(`the stack reported ${reported.length} line(s):\n  ${reported.slice(0, 10).join('\n  ')}`);
  print(lost === 0 ? 'nothing lost' : `LOST: ${serverErrors.length} kind(s) with 5xx or failed requests, ${problems.length} job(s) not as their last answer left them, ${pending.length} pending, ${blocked.length} blocked`);
} finally {
  clearInterval(beating);
  closeConnections();
  bareServer.close();
  await stack.stop();
}
process.exit(lost === 0 ? 0 : 1);
