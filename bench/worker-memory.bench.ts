/**
 * Worker peak memory for one job of count 10,000, placed by one worker process on the local
 * stack. Figure: the worker process's peak resident memory while it plans and commits the
 * evaluation (goal ≤ 256 MB), as a ratio to the same process's resident memory when idle (code
 * loaded, nothing scheduled), measured in the same run. The worker runs in a child process so the
 * in-process stand-ins (SQS, S3) are not counted, with the heap limit a 256 MB Lambda would give
 * it (`--max-old-space-size=192`; BENCH_MEMORY_NODE_FLAGS overrides, '' for none): without a
 * limit V8 on a large machine lets garbage pile up long before collecting it, which measures the
 * machine rather than the worker. The peak heap after collection shows what is really held.
 *
 *   npm run bench -- worker-memory
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const COUNT = Number(process.env.BENCH_MEMORY_COUNT ?? 10_000);
const NODES = Number(process.env.BENCH_MEMORY_NODES ?? 500);
const GOAL_MB = 256;
const MB = 1024 * 1024;
const NODE_FLAGS = process.env.BENCH_MEMORY_NODE_FLAGS ?? '--max-old-space-size=192';

async function child(): Promise<void> {
  const { handler } = await import('../functions/worker');
  const { SqsPoller } = await import('../infra/local/sqs-poller');
  const idle = process.memoryUsage().rss;
  let peak = idle;
  let heapPeak = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    heapPeak = Math.max(heapPeak, usage.heapUsed);
  }, 5);
  const poller = new SqsPoller({ queueUrl: process.env.EVAL_QUEUE_URL!, handler, functionName: 'memory-bench' });
  const started = performance.now();
  while ((await poller.pollOnce(1)) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  // An evaluation larger than one invocation's budget comes back, handed on, until it is done.
  while ((await poller.pollOnce(2)) > 0);
  const ms = performance.now() - started;
  clearInterval(sampler);
  process.stdout.write(`${JSON.stringify({ idle, peak, heapPeak, ms })}\n`);
  process.exit(0);
}

async function parent(): Promise<void> {
  const { benchStack } = await import('./stack');
  const { registerBenchJob, registerBenchNodes } = await import('./cluster');
  const { readJobAllocs } = await import('../shared/nomad/store/allocs');
  const stack = await benchStack(300);
  try {
    await registerBenchNodes(NODES, 'memory');
    await registerBenchJob('big', COUNT);
    const output = await new Promise<string>((resolve, reject) => {
      const worker = spawn(process.execPath, [...NODE_FLAGS.split(' ').filter(Boolean), '--import', 'tsx', fileURLToPath(import.meta.url), '--child'], { env: { ...process.env, ...stack.env }, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      worker.stdout.on('data', (chunk) => (text += chunk));
      worker.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`worker exited with ${code}`))));
    });
    const { idle, peak, heapPeak, ms } = JSON.parse(output.trim().split('\n').pop()!);
    const placed = (await readJobAllocs('default', 'big')).filter((stored) => stored.live).length;
    console.log(`one job of count ${COUNT} on ${NODES} nodes: ${placed} placed by one worker in ${(ms / 1000).toFixed(1)} s (node ${NODE_FLAGS || 'without flags'})`);
    console.log(`worker peak resident memory: ${Math.round(peak / MB)} MB   (goal ≤ ${GOAL_MB} MB: ${peak / MB <= GOAL_MB ? 'met' : 'NOT met'}); peak heap ${Math.round(heapPeak / MB)} MB`);
    console.log(`baseline, the idle worker process: ${Math.round(idle / MB)} MB; ratio ${(peak / idle).toFixed(2)}×`);
  } finally {
    await stack.stop();
  }
  process.exit(0);
}

await (process.argv.includes('--child') ? child() : parent());
