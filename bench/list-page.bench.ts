/**
 * `GET /v1/jobs?per_page=100` in a namespace of 10,000 jobs, as a ratio to the same page in a
 * namespace of 100 jobs, over HTTP against the API as `npm start` serves it, both measured in
 * turns in the same run: a page must cost the same however long the list (goal ≤ 1.5). Two pages
 * of the large namespace are timed: the first, and one 50 pages in (its `next_token`).
 *
 * The 100 small jobs are registered through the API; the 9,900 others are written as registers
 * write them (job item and version, 50 jobs to a transaction), which takes seconds, not minutes.
 *
 *   npm run bench -- list-page
 */
import { call, closeConnections } from './keep-alive-client';
import { logAsNpmStart } from './npm-start-logging';
import { benchStack } from './stack';
import { canonicalizeJob } from '../shared/nomad/jobspec/canonicalize';
import { nextIndex } from '../shared/storage/index-clock';
import { transact } from '../shared/storage/transact';
import { putJobVersion, writeJobItem } from '../shared/nomad/store/jobs';
import { percentile } from './percentile';
import { serveApi } from './serve-api';

const LARGE = Number(process.env.BENCH_LIST_JOBS ?? 10_000);
const SMALL = 100;
const ROUNDS = Number(process.env.BENCH_LIST_ROUNDS ?? 200);
const WARMUP = 20;
const GOAL = 1.5;

const stack = await benchStack();
const print = logAsNpmStart();
const { url, close: closeApi } = await serveApi();

const spec = (id: string) => ({
  ID: id,
  Datacenters: ['dc1'],
  TaskGroups: [{ Name: 'app', Count: 1, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep' }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
});

async function ok(method: string, path: string, body?: unknown): Promise<string> {
  const response = await call(method, `${url}${path}`, body === undefined ? undefined : JSON.stringify(body));
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
  return response.text;
}

/** The job item and version a register writes, for `count` jobs, 50 jobs to a transaction, 4 transactions at once. */
async function writeJobs(namespace: string, count: number): Promise<void> {
  const batches = Array.from({ length: Math.ceil(count / 50) }, (_, b) => Array.from({ length: Math.min(50, count - b * 50) }, (_, i) => `job-${String(b * 50 + i).padStart(6, '0')}`));
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) {
        const ids = batches[next++];
        await transact(
          ids.flatMap((id) => {
            const index = nextIndex();
            const job = Object.assign(canonicalizeJob(spec(id)), { Namespace: namespace, Version: 0, CreateIndex: index, ModifyIndex: index, JobModifyIndex: index, SubmitTime: Date.now() * 1_000_000, Stable: false });
            return [writeJobItem({ job, index, specChanged: true, newEval: false }), putJobVersion(job)];
          }),
        );
      }
    }),
  );
}

try {
  await ok('PUT', '/v1/namespace/small', { Name: 'small' });
  await ok('PUT', '/v1/namespace/large', { Name: 'large' });
  for (let n = 0; n < SMALL; n++) await ok('POST', '/v1/jobs?namespace=small', { Job: spec(`job-${String(n).padStart(6, '0')}`) });
  const started = performance.now();
  await writeJobs('large', LARGE);
  print(`${SMALL} jobs registered in namespace small; ${LARGE} written in namespace large in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  let token = '';
  for (let page = 0; page < 50; page++) {
    const response = await call('GET', `${url}/v1/jobs?namespace=large&per_page=100${token ? `&next_token=${token}` : ''}`);
    token = response.headers['x-nomad-nexttoken'] as string;
  }
  const pages: Record<string, string> = {
    small: '/v1/jobs?namespace=small&per_page=100',
    'large, first page': '/v1/jobs?namespace=large&per_page=100',
    'large, page 51': `/v1/jobs?namespace=large&per_page=100&next_token=${token}`,
  };
  const names = Object.keys(pages);
  const times = Object.fromEntries(names.map((name) => [name, [] as number[]]));
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const begun = performance.now();
      const listed = JSON.parse(await ok('GET', pages[name])) as unknown[];
      if (listed.length !== 100) throw new Error(`${name}: ${listed.length} jobs in a page of 100`);
      if (i >= WARMUP) times[name].push(performance.now() - begun);
    }
  }
  const small = percentile(times.small, 50);
  print(`GET /v1/jobs?per_page=100, p50 of ${ROUNDS}: ${SMALL} jobs ${small.toFixed(2)} ms`);
  for (const name of names.slice(1)) {
    const ratio = percentile(times[name], 50) / small;
    print(`  ${LARGE} jobs, ${name.slice('large, '.length)}: ${percentile(times[name], 50).toFixed(2)} ms, ratio ${ratio.toFixed(2)} (goal ≤ ${GOAL}: ${ratio <= GOAL ? 'met' : 'NOT met'})`);
  }
} finally {
  closeConnections();
  closeApi();
  await stack.stop();
}
process.exit(0);
