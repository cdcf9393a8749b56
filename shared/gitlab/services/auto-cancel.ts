import type { PipelineRecord } from '../records';
import { isRedundant, jobsToAutoCancel } from '../state/auto-cancel';
import { listProjectPipelines } from '../store/pipeline-list';
import { readPipelineWithJobs } from '../store/pipelines';
import { cancelJob } from './job-actions';
import { latestJobs } from './process-pipeline';

/** GitLab looks at the branch's recent pipelines only. */
const RECENT = 100;

/** Cancels what a new branch pipeline makes redundant in the branch's older pipelines (see state/auto-cancel.ts). */
export async function cancelRedundantPipelines(pipeline: PipelineRecord): Promise<void> {
  if (pipeline.tag || pipeline.source === 'parent_pipeline') return;
  const { pipelines } = await listProjectPipelines(pipeline.projectId, { ref: pipeline.ref, offset: 0, limit: RECENT });
  for (const older of pipelines.filter((candidate) => isRedundant(candidate, pipeline))) {
    const read = await readPipelineWithJobs(older.id);
    if (!read) continue;
    for (const job of jobsToAutoCancel(older.autoCancel?.onNewCommit ?? 'conservative', latestJobs(read.jobs))) await cancelJob(job, { force: false });
  }
}
