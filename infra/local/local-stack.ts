import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import type { NomadAgent } from '../../agent/nomad/agent';
import type { GitLabRunner } from '../../agent/gitlab-runner/runner';
import { wakeConcurrency, workerConcurrency } from '../../shared/config';
import { ensureResources } from './resources';
import { SqsPoller } from './sqs-poller';
import { startStandIns, type StandIns } from './stand-ins';
import { createApiServer } from './api-server';

/**
 * The whole control plane on one machine: the AWS stand-ins, the resources the CDK stack would
 * create, the API on a port, the placement worker fed from the queue, and the periodic duties on
 * a timer. `npm start` runs it with data under DATA_DIR; tests run it against a scratch folder.
 */
export interface LocalStackOptions {
  dataDir: string;
  port: number;
  host?: string;
  /** Interval of the periodic duties (EventBridge runs them every minute on AWS). */
  periodicMs?: number;
  /** Shorter visibility timeout than AWS, so failed evaluations come back quickly. */
  visibilityTimeoutSeconds?: number;
  log?: (line: string) => void;
  /**
   * Run one Nomad client agent in this process, beside the API (data under `<dataDir>/agent`,
   * raw_exec enabled, services on loopback). `npm start` does; tests start their own.
   */
  agent?: boolean;
  /**
   * Run one GitLab shell runner in this process (data and its saved `glrt-` token under
   * `<dataDir>/runner`; created on first start with the bootstrap token). `npm start` does.
   */
  runner?: boolean;
  /** Fixed stand-in ports; free ones otherwise. */
  standInPorts?: { dynamodb?: number; sqs?: number; s3?: number };
}

export interface LocalStack {
  url: string;
  /** The ID of the node the local agent registered, when one runs. */
  agentNodeId?: string;
  /** Where the local GitLab runner keeps its builds, when one runs. */
  runnerDataDir?: string;
  bootstrapToken: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The bootstrap token: BOOTSTRAP_TOKEN if set, else one generated once and kept in the data folder. */
function bootstrapToken(dataDir: string): string {
  if (process.env.BOOTSTRAP_TOKEN) return process.env.BOOTSTRAP_TOKEN;
  const file = join(dataDir, 'bootstrap-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(18).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // What has started, stopped in reverse order by stop() or by a start that fails half-way.
  const started: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of started.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'the local stack did not stop cleanly');
  };
  try {
    return await startParts(options, started, stopAll);
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

async function startParts(
  options: LocalStackOptions,
  started: Array<() => Promise<unknown>>,
  stopAll: () => Promise<void>,
): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  mkdirSync(options.dataDir, { recursive: true });
  const standInsStarted = Date.now();
  log('starting DynamoDB Local and the S3/SQS stand-ins…');
  const standIns: StandIns = await startStandIns({
    dataDir: options.dataDir,
    scratchDir: join(tmpdir(), 'jobplane-s3'),
    ports: options.standInPorts,
  });
  started.push(() => standIns.stop());
  Object.assign(process.env, standIns.env);
  log(`stand-ins up in ${((Date.now() - standInsStarted) / 1000).toFixed(1)}s; creating the table, queues and bucket…`);
  const resources = await ensureResources({
    tableName: 'jobplane',
    evalQueueName: 'jobplane-evals.fifo',
    evalDlqName: 'jobplane-evals-dlq.fifo',
    wakeQueueName: 'jobplane-wakes.fifo',
    bucketName: 'jobplane-artifacts',
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 10,
  });
  const token = bootstrapToken(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${options.port}`;
  const env: Record<string, string> = {
    ...standIns.env,
    ...resources,
    BOOTSTRAP_TOKEN_SHA256: createHash('sha256').update(token).digest('hex'),
    EXTERNAL_URL: process.env.EXTERNAL_URL ?? url,
    // Locally a blocking query waits as long as the client asks; on AWS API Gateway cuts it at 30 s.
    MAX_BLOCKING_WAIT_MS: process.env.MAX_BLOCKING_WAIT_MS ?? String(10 * 60_000),
    // Nomad Variables' root key, created on first use beside the data it protects.
    VARIABLES_KEY_FILE: process.env.VARIABLES_KEY_FILE ?? join(options.dataDir, 'keyring', 'variables.key'),
  };
  Object.assign(process.env, env);

  log(`starting the API on ${url}, the worker${options.agent ? ', the agent' : ''}${options.runner ? ', the runner' : ''}…`);
  // Imported only now: the application reads its settings from the environment set above.
  const { app } = await import('../../shared/http/app');
  const { handler: worker } = await import('../../functions/worker');
  const { handler: periodic } = await import('../../functions/periodic');
  const { requeuePendingEvals } = await import('../../shared/nomad/worker/requeue');

  const server: ServerType = await new Promise((resolve, reject) => {
    // The WebSocket server lets routes upgrade (job actions, the agents' action channel).
    const websocket = { server: new WebSocketServer({ noServer: true }) };
    const listening = serve({ fetch: app.fetch, port: options.port, hostname: host, websocket, createServer: createApiServer }, () => {
      listening.off('error', reject);
      resolve(listening);
    });
    // A port in use fails here, not as an uncaught error.
    listening.once('error', reject);
  });
  started.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Blocking queries may hold connections for minutes; shutting down must not wait for them.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  );
  const poller = new SqsPoller({
    queueUrl: resources.EVAL_QUEUE_URL,
    handler: worker,
    functionName: 'jobplane-worker',
    concurrency: workerConcurrency(),
    wakeQueueUrl: resources.WAKE_QUEUE_URL,
    wakeConcurrency: wakeConcurrency(),
    onError: (error) => log(`worker: ${(error as Error).message}`),
  });
  poller.start();
  started.push(() => poller.stop());

  // The in-memory queue starts empty: whatever was pending before a restart goes back on it.
  const requeued = await requeuePendingEvals(Date.now(), 0);
  if (requeued > 0) log(`re-queued ${requeued} pending evaluation(s) from before the restart`);

  let periodicRun: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    periodicRun = periodic().catch((error: unknown) => log(`periodic duties: ${(error as Error).message}`));
  }, options.periodicMs ?? 60_000);
  started.push(() => {
    clearInterval(timer);
    return periodicRun;
  });

  let agent: NomadAgent | undefined;
  if (options.agent) {
    const { startNomadAgent } = await import('../../agent/nomad/agent');
    const { createLogger } = await import('../../agent/common/logger');
    agent = startNomadAgent(
      {
        api: url,
        token,
        dataDir: join(options.dataDir, 'agent'),
        name: 'local',
        datacenter: 'dc1',
        nodePool: 'default',
        nodeClass: '',
        meta: {},
        drivers: ['raw_exec', 'exec', 'mock_driver'],
        address: '127.0.0.1',
        logLevel: 'warn',
      },
      createLogger('warn', 'agent', (line) => log(line)),
    );
    const startedAgent = agent;
    started.push(() => startedAgent.stop());
    await agent.ready;
    // The API's own client, as on `nomad agent -dev`: node-wide client calls without node_id go to it.
    process.env.NOMAD_LOCAL_CLIENT_NODE_ID = agent.nodeId;
  }

  let runner: GitLabRunner | undefined;
  const runnerDataDir = join(options.dataDir, 'runner');
  if (options.runner) {
    const { startGitLabRunner } = await import('../../agent/gitlab-runner/runner');
    const { createLogger } = await import('../../agent/common/logger');
    runner = startGitLabRunner(
      {
        url,
        adminToken: token,
        dataDir: runnerDataDir,
        description: 'local shell runner',
        tags: [],
        runUntagged: true,
        concurrent: 2,
        checkInterval: 1,
        updateInterval: 3,
        shell: 'bash',
        logLevel: 'warn',
      },
      createLogger('warn', 'runner', (line) => log(line)),
    );
    const startedRunner = runner;
    started.push(() => startedRunner.stop());
    await runner.ready;
  }

  return {
    url,
    agentNodeId: agent?.nodeId,
    runnerDataDir: runner ? runnerDataDir : undefined,
    bootstrapToken: token,
    env,
    stop: stopAll,
  };
}
