/**
 * Cold start of the API Lambda: the bundle built as the CDK stack builds it (esbuild, the options
 * of infra/bundling/lambda-bundling.ts), loaded by a fresh Node process that answers one API
 * Gateway event, timed from spawning the process to its answer. The baseline is a bare Hono app
 * bundled the same way and asked the same question. Figure: median API ÷ median bare (goal ≤ 1.5).
 *
 *   npm run bench -- cold-start
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_BUNDLE } from '../infra/bundling/lambda-bundling';
import { median } from './median';

const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 9);
const root = fileURLToPath(new URL('../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'jobplane-cold-'));

// The baseline: the least a Hono app on Lambda can be, answering the same request.
const bareSource =
  `import { Hono } from 'hono';\nimport { handle } from 'hono/aws-lambda';\n` +
    `const app = new Hono();\napp.get('/v1/status/leader', (c) => c.json('127.0.0.1:4647'));\nexport const handler = handle(app);\n`;

async function bundle(name: string, entry: { file: string } | { source: string }): Promise<string> {
  const outfile = join(scratch, `${name}.mjs`);
  const input = 'file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.source, resolveDir: root, loader: 'ts' as const } };
  await build({ ...LAMBDA_BUNDLE, mainFields: [...LAMBDA_BUNDLE.mainFields], banner: { js: LAMBDA_BUNDLE.banner }, ...input, bundle: true, outfile, absWorkingDir: root, logLevel: 'error' });
  return outfile;
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
    env: { ...process.env, AWS_REGION: 'us-east-1', TABLE_NAME: 'cold', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`cold start of ${file} failed: ${result.stderr}`);
  return performance.now() - started;
}

try {
  const api = await bundle('api', { file: join(root, 'functions/api.ts') });
  const bare = await bundle('bare', { source: bareSource });
  const apiTimes: number[] = [];
  const bareTimes: number[] = [];
  coldMs(api); // warms the file cache, as Lambda's image is warm on its disk
  coldMs(bare);
  for (let round = 0; round < ROUNDS; round++) {
    apiTimes.push(coldMs(api));
    bareTimes.push(coldMs(bare));
  }
  const kb = (file: string) => `${(statSync(file).size / 1024).toFixed(0)} KB`;
  console.log(`API bundle ${kb(api)}, bare Hono bundle ${kb(bare)}`);
  console.log(`cold process to first answer: API ${median(apiTimes).toFixed(0)} ms, bare Hono ${median(bareTimes).toFixed(0)} ms (median of ${ROUNDS})`);
  console.log(`ratio API ÷ bare: ${(median(apiTimes) / median(bareTimes)).toFixed(2)} (goal ≤ 1.5)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
