import type { JobRecord, PipelineRecord } from '../records';
import { startBridge, syncDependentBridge } from './bridges';
import { notifyRunners } from './runner-queue';

/**
 * What follows jobs changing status, outside the transaction that changed them: runners hear of
 * new pending builds, pending bridges create their downstream pipelines, and a child pipeline's
 * new status reaches the bridge that waits on it (`strategy: depend`).
 */
export async function afterJobsChanged(pipeline: PipelineRecord, changed: readonly JobRecord[], previousStatus: string): Promise<void> {
  const pending = changed.filter((job) => job.status === 'pending');
  await notifyRunners(pending.filter((job) => job.type === 'build'));
  for (const bridge of pending.filter((job) => job.type === 'bridge')) await startBridge(bridge, pipeline);
  if (pipeline.status !== previousStatus && pipeline.sourceJobId !== undefined) await syncDependentBridge(pipeline);
}
