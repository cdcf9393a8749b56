import { transact, TransactionConflict } from '../../storage/transact';
import type { PipelineRecord } from '../records';
import { getJob, listProjectJobs, updateJob } from '../store/jobs';
import { putExpiry } from '../store/artifact-expiry';
import { latestSuccessfulPipeline } from './locate';
import { unchangedSince } from './unchanged';

/**
 * `DELETE /projects/:id/artifacts`: every artifact of the project expires now (kept ones too),
 * except the archived traces and the artifacts of each ref's latest successful pipeline; the
 * sweeper then removes them, as GitLab's worker does after answering 202.
 */
export async function expireProjectArtifacts(projectId: number, now: number): Promise<number> {
  const latest = new Map<string, Promise<PipelineRecord | undefined>>();
  const latestFor = (ref: string) => {
    if (!latest.has(ref)) latest.set(ref, latestSuccessfulPipeline(projectId, ref));
    return latest.get(ref)!;
  };
  let expired = 0;
  let beforeId: number | undefined;
  for (;;) {
    const page = await listProjectJobs(projectId, { offset: 0, limit: 100, beforeId });
    for (const listed of page.jobs) {
      if (!listed.artifacts.some((artifact) => artifact.fileType !== 'trace' && artifact.expireAt !== now)) continue;
      if ((await latestFor(listed.ref))?.id === listed.pipelineId) continue;
      for (let attempt = 0; attempt < 5; attempt++) {
        const job = attempt === 0 ? listed : await getJob(listed.id);
        if (!job) break;
        const artifacts = job.artifacts.map((artifact) => (artifact.fileType === 'trace' ? artifact : { ...artifact, expireAt: now }));
        try {
          await transact([updateJob(job, { artifacts, artifactsExpireAt: now }, [job.status], unchangedSince(job)), putExpiry(job.id, now)]);
          expired++;
          break;
        } catch (error) {
          if (!(error instanceof TransactionConflict)) throw error;
        }
      }
    }
    if (!page.hasMore) return expired;
    beforeId = page.lastId;
  }
}
