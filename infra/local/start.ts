import { resolve } from 'node:path';
import { startLocalStack } from './local-stack';

/**
 * `npm start`: the control plane on this machine, data kept under DATA_DIR (default `.data/`).
 */
const started = Date.now();
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const port = Number(process.env.PORT ?? 4646);
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// Node 20 is what we target; the SDK's notice about Node 22 would only clutter the console.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const stack = await startLocalStack({
  dataDir,
  port,
  // Timers (heartbeat expiry, delayed evaluations, deadlines) tick faster than EventBridge's minute.
  periodicMs: Number(process.env.PERIODIC_INTERVAL_SECONDS ?? 10) * 1000,
  // One Nomad client agent runs beside the API unless AGENT=0.
  agent: process.env.AGENT !== '0',
  // One GitLab shell runner too, unless RUNNER=0.
  runner: process.env.RUNNER !== '0',
  log: (line) => console.log(`[jobplane] ${line}`),
});

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`
jobplane is up in ${seconds}s (data in ${dataDir})

  API        ${stack.url}   (Nomad /v1, GitLab /api/v4, CodeArts /v3)
  Token      ${stack.bootstrapToken}   (bootstrap management token)
  Agent      ${stack.agentNodeId ? `node ${stack.agentNodeId} (raw_exec, exec, mock_driver; data in ${dataDir}/agent)` : 'none (AGENT=0)'}
  Runner     ${stack.runnerDataDir ? `GitLab shell runner (builds in ${stack.runnerDataDir}/builds)` : 'none (RUNNER=0)'}

  Try:       curl -s ${stack.url}/v1/jobs

Press Ctrl-C to stop.
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n[jobplane] ${signal}: stopping…`);
  await stack.stop();
  console.log('[jobplane] stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
