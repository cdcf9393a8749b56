import { median } from './median';
import { benchLocalStack } from './stack';

/**
 * GitLab API latencies over HTTP against the whole local control plane (what `npm start` runs),
 * each as a ratio to the cheapest authenticated call measured in the same run (`GET /api/v4/user`):
 *   pipeline create with N jobs (one transaction up to 49 jobs, stepwise beyond), a runner's
 *   `POST /jobs/request` that takes a job, that finds none, and that is answered from its queue
 *   value; a trace append; a job's final update.
 *
 *   npm run bench -- gitlab                                   # starts its own local stack
 *   GITLAB_BENCH_URL=http://127.0.0.1:4646 BOOTSTRAP_TOKEN=… npm run bench -- gitlab   # a running one
 */
const ROUNDS = 7;
let base = process.env.GITLAB_BENCH_URL ?? '';
let token = process.env.BOOTSTRAP_TOKEN ?? '';

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(`${base}/api/v4${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': token, ...(body !== undefined && typeof body !== 'string' ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json, headers: response.headers };
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
}

function ciFile(jobs: number): string {
  return Array.from({ length: jobs }, (_, i) => `job${i}: { stage: ${i % 2 ? 'test' : 'build'}, script: [echo ${i}], tags: [bench-${jobs}] }`).join('\n');
}

async function main() {
  const suffix = Date.now().toString(36);
  const project = await call('POST', '/projects', { name: `bench-${suffix}` });
  if (project.status !== 201) throw new Error(`project: ${project.status} ${JSON.stringify(project.json)}`);
  const projectId = project.json.id;
  const runner = await call('POST', '/user/runners', { runner_type: 'instance_type', tag_list: ['bench-5'], run_untagged: false });
  const idle = await call('POST', '/user/runners', { runner_type: 'instance_type', tag_list: ['nothing-matches'], run_untagged: false });

  const baseline: number[] = [];
  for (let i = 0; i < ROUNDS; i++) baseline.push((await timed(() => call('GET', '/user')))[0]);
  const unit = median(baseline);
  const rows: [string, number][] = [['GET /user (baseline)', unit]];

  let branch = 0;
  for (const jobs of [5, 20, 45, 100]) {
    const name = `b${branch++}`;
    const write = await call(branch === 1 ? 'POST' : 'PUT', `/projects/${projectId}/repository/files/.gitlab-ci.yml`, {
      branch: name,
      start_branch: branch === 1 ? undefined : 'b0',
      content: ciFile(jobs),
      commit_message: `${jobs} jobs`,
    });
    if (write.status >= 300) throw new Error(`file: ${write.status} ${JSON.stringify(write.json)}`);
    const samples: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const [ms, result] = await timed(() => call('POST', `/projects/${projectId}/pipeline`, { ref: name }));
      if (result.status !== 201) throw new Error(`pipeline: ${result.status} ${JSON.stringify(result.json)}`);
      samples.push(ms);
    }
    rows.push([`POST /pipeline, ${jobs} jobs`, median(samples)]);
  }

  const take: number[] = [];
  const append: number[] = [];
  const finish: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const [ms, job] = await timed(() => call('POST', '/jobs/request', { token: runner.json.token }));
    if (job.status !== 201) throw new Error(`request: ${job.status}`);
    take.push(ms);
    append.push((await timed(() => call('PATCH', `/jobs/${job.json.id}/trace`, 'bench log line\n', { 'JOB-TOKEN': job.json.token, 'Content-Range': '0-14', 'Content-Type': 'text/plain' })))[0]);
    finish.push((await timed(() => call('PUT', `/jobs/${job.json.id}`, { token: job.json.token, state: 'success' })))[0]);
  }
  rows.push(['POST /jobs/request → 201 (job claimed)', median(take)]);
  rows.push(['PATCH /jobs/:id/trace → 202', median(append)]);
  rows.push(['PUT /jobs/:id success → 200', median(finish)]);

  const none: number[] = [];
  const cached: number[] = [];
  let lastUpdate = '';
  for (let i = 0; i < ROUNDS; i++) {
    const [ms, answer] = await timed(() => call('POST', '/jobs/request', { token: idle.json.token }));
    none.push(ms);
    lastUpdate = answer.headers.get('x-gitlab-last-update') ?? '';
    cached.push((await timed(() => call('POST', '/jobs/request', { token: idle.json.token, last_update: lastUpdate })))[0]);
  }
  rows.push(['POST /jobs/request → 204 (queue scanned)', median(none)]);
  rows.push(['POST /jobs/request → 204 (last_update unchanged)', median(cached)]);

  console.log(`GitLab latencies at ${base}, median of ${ROUNDS}`);
  for (const [label, ms] of rows) console.log(`  ${label.padEnd(48)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / unit).toFixed(1).padStart(5)}× baseline`);
}

let stop = async () => undefined as void;
if (!base) {
  process.env.BOOTSTRAP_TOKEN = token = token || 'gitlab-bench-token';
  const stack = await benchLocalStack({ agent: false });
  base = stack.url;
  stop = () => stack.stop();
}
try {
  await main();
} finally {
  await stop();
}
