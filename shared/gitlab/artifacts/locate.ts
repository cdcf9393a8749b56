import type { ArtifactRecord, JobRecord } from '../records';
import { latestProjectPipeline } from '../store/pipeline-list';
import { readPipelineWithJobs } from '../store/pipelines';
import { isExpired } from './expire-in';

/**
 * Which archive a download serves: a job's own (by id), or the one of the newest job of a name in
 * the latest successful pipeline of a ref (GitLab's `latest_successful_build_for_ref`), searching
 * that pipeline's child pipelines after it.
 */

/** The job's archive, unless it is missing or expired. */
export function downloadableArchive(job: JobRecord, now = Date.now()): ArtifactRecord | undefined {
  const archive = job.artifacts.find((artifact) => artifact.fileType === 'archive' && artifact.objectKey !== undefined);
  if (!archive || isExpired(archive.expireAt, job.artifactsLocked, now)) return undefined;
  return archive;
}

/** The newest successful pipeline of `ref` that no bridge created (child pipelines are not "for" a ref). */
export const latestSuccessfulPipeline = (projectId: number, ref: string) => latestProjectPipeline(projectId, ref, 'success');

/** The job named `name` with a downloadable archive in the ref's latest successful pipeline tree. */
export async function jobForRef(projectId: number, ref: string, name: string): Promise<JobRecord | undefined> {
  const pipeline = await latestSuccessfulPipeline(projectId, ref);
  const queue = pipeline ? [pipeline.id] : [];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const read = await readPipelineWithJobs(id);
    if (!read) continue;
    const match = read.jobs.find((job) => job.type === 'build' && !job.retried && job.name === name && downloadableArchive(job));
    if (match) return match;
    for (const bridge of read.jobs) {
      if (bridge.type === 'bridge' && bridge.downstreamPipelineId !== null && !bridge.definition.trigger?.project) queue.push(bridge.downstreamPipelineId);
    }
  }
  return undefined;
}

/** Whether the job's pipeline is its ref's latest successful one (whose artifacts GitLab keeps). */
export async function inLatestSuccessfulPipeline(job: JobRecord): Promise<boolean> {
  return (await latestSuccessfulPipeline(job.projectId, job.ref))?.id === job.pipelineId;
}
