import type { ProjectAccess } from '../auth/policy';
import { loadContext } from '../entities/context';
import { jobEntity, bridgeEntity, presentJob } from '../entities/job';
import type { JobRecord } from '../records';

/** Entities for jobs of the project a request is about, with everything they embed loaded once. */
export async function presentJobs(access: ProjectAccess, jobs: JobRecord[], shape: 'job' | 'bridge' | 'auto' = 'job') {
  const context = await loadContext(jobs, { projects: new Map([[access.project.id, access.project]]) });
  const present = shape === 'job' ? jobEntity : shape === 'bridge' ? bridgeEntity : presentJob;
  return jobs.map((job) => present(job, context));
}

export async function presentOne(access: ProjectAccess, job: JobRecord, shape: 'job' | 'bridge' | 'auto' = 'job') {
  return (await presentJobs(access, [job], shape))[0];
}
