import { deleteExpiry } from '../store/artifact-expiry';
import { deleteJobObjects } from '../store/artifact-bucket';
import type { JobRecord, PipelineRecord } from '../records';
import { transact } from '../../storage/transact';
import { deleteJobPointers, deletePipelineItems, deleteTraceChunks } from '../store/delete-items';

/**
 * GitLab's `Ci::DestroyPipelineService`: the pipeline, its jobs, their traces (live chunks and the
 * archived log) and their artifacts, all gone. The pipeline item goes last, so a deletion cut
 * short is still found, and finished, by deleting again.
 */
export async function destroyPipeline(pipeline: PipelineRecord, jobs: readonly JobRecord[]): Promise<void> {
  for (const job of jobs) {
    await deleteJobObjects(job, { trace: true });
    await deleteTraceChunks(job.id);
  }
  for (let i = 0; i < jobs.length; i += 100) await transact(jobs.slice(i, i + 100).map((job) => deleteExpiry(job.id)));
  await deleteJobPointers(jobs.map((job) => job.id));
  await deletePipelineItems(pipeline.id);
}
