import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureResources } from '../infra/local/resources';
import { startStandIns } from '../infra/local/stand-ins';

/**
 * The local stand-ins (DynamoDB Local, SQS, S3) with a fresh table and queue, for benchmarks
 * that measure the real storage path. The environment is set so the application code finds them.
 */
export async function benchStack(visibilityTimeoutSeconds = 30) {
  const scratch = mkdtempSync(join(tmpdir(), 'jobplane-bench-'));
  const standIns = await startStandIns({ scratchDir: join(scratch, 's3') });
  Object.assign(process.env, standIns.env);
  const resources = await ensureResources({
    tableName: 'bench',
    evalQueueName: 'bench-evals.fifo',
    evalDlqName: 'bench-evals-dlq.fifo',
    bucketName: 'bench-bucket',
    visibilityTimeoutSeconds,
  });
  Object.assign(process.env, resources);
  return {
    env: { ...standIns.env, ...resources },
    async stop() {
      await standIns.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
