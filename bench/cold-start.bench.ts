/**
 * Cold start of the API Lambda: the bundle built as the CDK stack builds it (bundleLambda of
 * infra/bundling/lambda-bundling.ts: index.mjs and its chunks), loaded by a fresh Node process
 * with the stack's NODE_OPTIONS that answers one API Gateway event, timed from spawning the
 * process to its answer. The baseline is a bare Hono app (bare-hono.ts) bundled the same way and
 * asked the same question. Figure: median API ÷ median bare (goal ≤ 1.5).
 *
 *   npm run bench -- cold-start
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { bundleLambda } from '../infra/bundling/lambda-bundling';
import { median } from './median';

const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 9);
const root = fileURLToPath(new URL('../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'jobplane-cold-'));

function bundle(name: string, entry: string): { file: string; metafile: Metafile } {
  const outdir = join(scratch, name);
  const metafile = bundleLambda(entry, outdir, root);
  return { file: join(outdir, 'index.mjs'), metafile };
}

/** What a cold start reads before the handler runs: index.mjs and the chunks it imports statically. */
function startupKb(metafile: Metafile): string {
  const seen = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output)) return;
    seen.add(output);
    for (const imported of metafile.outputs[output]!.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(Object.keys(metafile.outputs).find((output) => output.endsWith('/index.mjs'))!);
  const bytes = [...seen].reduce((total, output) => total + metafile.outputs[output]!.bytes, 0);
  const all = Object.entries(metafile.outputs).filter(([output]) => output.endsWith('.mjs')).reduce((total, [, output]) => total + output.bytes, 0);
  return `${(bytes / 1024).toFixed(0)} KB read at start of ${(all / 1024).toFixed(0)} KB`;
}

// One API Gateway (HTTP API, payload 2.0) request a Nomad client sends first, answered without the store.
const event = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/v1/status/leader',
  rawQueryString: '',
  headers: { host: 'api.example.com' },
  requestContext: { http: { method: 'GET', path: '/v1/status/leader', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: 'cold', stage: '$default', domainName: 'api.example.com' },
  isBase64Encoded: false,
};
const driver = `const { handler } = await import(process.argv[1]);
const answer = await handler(${JSON.stringify(event)}, { awsRequestId: 'cold' });
if (answer.statusCode !== 200) { console.error(answer); process.exit(1); }`;

function coldMs(file: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', driver, file], {
    // NODE_OPTIONS as the stack sets it (service-function.ts): the source maps are read too.
    env: { ...process.env, AWS_REGION: 'us-east-1', TABLE_NAME: 'cold', POWERTOOLS_LOG_LEVEL: 'SILENT', NODE_OPTIONS: '--enable-source-maps' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`cold start of ${file} failed: ${result.stderr}`);
  return performance.now() - started;
}

try {
  const api = bundle('api', join(root, 'functions/api.ts'));
  const bare = bundle('bare', join(root, 'bench/bare-hono.ts'));
  const apiTimes: number[] = [];
  const bareTimes: number[] = [];
  coldMs(api.file); // warms the file cache, as Lambda's image is warm on its disk
  coldMs(bare.file);
  for (let round = 0; round < ROUNDS; round++) {
    apiTimes.push(coldMs(api.file));
    bareTimes.push(coldMs(bare.file));
  }
  console.log(`API bundle ${startupKb(api.metafile)}, bare Hono bundle ${startupKb(bare.metafile)}`);
  console.log(`cold process to first answer: API ${median(apiTimes).toFixed(0)} ms, bare Hono ${median(bareTimes).toFixed(0)} ms (median of ${ROUNDS})`);
  console.log(`ratio API ÷ bare: ${(median(apiTimes) / median(bareTimes)).toFixed(2)} (goal ≤ 1.5)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
