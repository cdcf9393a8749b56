/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own process, one after the other, and
 * lets each print its figures (each figure as a ratio against a baseline measured in the same
 * run). `npm run bench -- scheduler` runs only the files whose name contains `scheduler`.
 * Benchmarks are not tests: they take minutes and need the local stand-ins (Java for DynamoDB Local).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

let failed = 0;
const startedAll = performance.now();
for (const file of files) {
  console.log(`\n=== ${file}`);
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], {
    stdio: 'inherit',
    env: {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
      // As under `npm start`: the embedded-metric lines would bury the figures.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  console.log(`--- ${file}: ${result.status === 0 ? 'done' : `failed (${result.status ?? result.signal})`} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (result.status !== 0) failed++;
}
if (files.length === 0) console.log('no benchmarks matched');
else console.log(`\n${files.length} benchmark(s) in ${((performance.now() - startedAll) / 60_000).toFixed(1)} min${failed > 0 ? `, ${failed} failed` : ''}`);
process.exit(failed > 0 ? 1 : 0);
