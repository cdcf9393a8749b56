import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../infra/local/local-stack';
import { ensureResources } from '../infra/local/resources';
import { freePort, startStandIns } from '../infra/local/stand-ins';

/**
 * The local stand-ins (DynamoDB Local, SQS, S3) with a fresh table and queue, for benchmarks
 * that measure the real storage path. The environment is set so the application code finds them.
 */
export async function benchStack(visibilityTimeoutSeconds = 30) {
  const scratch = mkdtempSync(join(tmpdir(), 'jobplane-bench-'));
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  const standIns = await startStandIns({ scratchDir: join(scratch, 's3') }).catch((error: unknown) => {
    removeScratch();
    throw error;
  });
  const stop = async () => {
    try {
      await standIns.stop();
    } finally {
      removeScratch();
    }
  };
  Object.assign(process.env, standIns.env);
  const resources = await ensureResources({
    tableName: 'bench',
    evalQueueName: 'bench-evals.fifo',
    evalDlqName: 'bench-evals-dlq.fifo',
    bucketName: 'bench-bucket',
    visibilityTimeoutSeconds,
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  Object.assign(process.env, resources);
  return { env: { ...standIns.env, ...resources }, stop };
}

/** The whole local control plane (what `npm start` runs) on a free port, its data in a scratch folder `stop()` removes. */
export async function benchLocalStack(options: Pick<LocalStackOptions, 'agent' | 'periodicMs' | 'log'>): Promise<LocalStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jobplane-bench-'));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  const stack = await startLocalStack({ ...options, dataDir, port: await freePort() }).catch((error: unknown) => {
    removeData();
    throw error;
  });
  return {
    ...stack,
    async stop() {
      try {
        await stack.stop();
      } finally {
        removeData();
      }
    },
  };
}
