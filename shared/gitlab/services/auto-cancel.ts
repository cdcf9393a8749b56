import type { JobRecord, PipelineRecord } from '../records';
import { isRedundant, jobsToAutoCancel } from '../state/auto-cancel';
import { listProjectPipelines } from '../store/pipeline-list';
import { readPipelineWithJobs } from '../store/pipelines';
import { latestJobs } from './process-pipeline';

// What a new branch pipeline makes redundant in the branch's older pipelines (see
// state/auto-cancel.ts); the engine cancels it (pipeline-engine.ts).

/** GitLab looks at the branch's recent pipelines only. */
const RECENT = 100;

/** The branch's older pipelines the new one makes redundant. */
export async function redundantPipelines(pipeline: PipelineRecord): Promise<PipelineRecord[]> {
  if (pipeline.tag || pipeline.source === 'parent_pipeline') return [];
  const { pipelines } = await listProjectPipelines(pipeline.projectId, { ref: pipeline.ref, offset: 0, limit: RECENT });
  return pipelines.filter((candidate) => isRedundant(candidate, pipeline));
}

/** The jobs of a redundant pipeline to cancel, as they are stored now. */
export async function jobsToCancelIn(older: PipelineRecord): Promise<JobRecord[]> {
  const read = await readPipelineWithJobs(older.id);
  if (!read) return [];
  return jobsToAutoCancel(older.autoCancel?.onNewCommit ?? 'conservative', latestJobs(read.jobs));
}
