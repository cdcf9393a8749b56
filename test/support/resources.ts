import { randomBytes } from 'node:crypto';
import { ensureResources } from '../../infra/local/resources';

/**
 * A fresh table, queue and bucket for one test file, so files never see each other's data.
 * Sets the environment the application reads its settings from.
 */
export async function useFreshResources(options: { visibilityTimeoutSeconds?: number; wakeQueue?: boolean } = {}) {
  const suffix = randomBytes(4).toString('hex');
  const resources = await ensureResources({
    tableName: `test-${suffix}`,
    evalQueueName: `evals-${suffix}.fifo`,
    evalDlqName: `evals-dlq-${suffix}.fifo`,
    wakeQueueName: options.wakeQueue ? `wakes-${suffix}.fifo` : undefined,
    bucketName: `test-bucket-${suffix}`,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 1,
  });
  Object.assign(process.env, resources, { BLOCKING_POLL_MS: '50' });
  return resources;
}
