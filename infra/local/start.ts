import { resolve } from 'node:path';
import { startLocalStack, type LocalStack } from './local-stack';

/**
 * `npm start`: the control plane on this machine, data kept under DATA_DIR (default `.data/`).
 */
const started = Date.now();
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const port = Number(process.env.PORT ?? 4646);
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// One plain line per request (method, path, status, ms); CloudWatch's metric lines have no reader here.
process.env.REQUEST_LOG ??= 'text';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// Node 20 is what we target; the SDK's notice about Node 22 would only clutter the console.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Until the stack is up, a signal ends the process at once: DynamoDB Local's watchdog stops the
// JVM when we go, and the other stand-ins live in this process.
let stack: LocalStack | undefined;
let stopping = false;
async function shutdown(reason: string, code: number) {
  if (stopping) return;
  stopping = true;
  console.log(`\n[jobplane] ${reason}: stopping…`);
  // A stop that hangs must not keep the process (and so the JVM) alive.
  setTimeout(() => process.exit(code || 1), 30_000).unref();
  try {
    await stack?.stop();
    console.log('[jobplane] stopped');
  } catch (error) {
    console.error(`[jobplane] stopping failed: ${(error as Error).message}`);
    code ||= 1;
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT', 130));
process.on('SIGTERM', () => void shutdown('SIGTERM', 143));
process.on('SIGHUP', () => void shutdown('SIGHUP', 129));
process.on('uncaughtException', (error) => {
  console.error('[jobplane] crashed:', error);
  void shutdown('crash', 1);
});
process.on('unhandledRejection', (error) => {
  console.error('[jobplane] crashed:', error);
  void shutdown('crash', 1);
});

try {
  stack = await startLocalStack({
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
} catch (error) {
  // startLocalStack has stopped whatever it had started.
  console.error(`[jobplane] could not start: ${(error as Error).message}`);
  process.exit(1);
}

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
