import type { TransactItem } from '../storage/transact';
import type { JobRecord, PipelineRecord } from './records';
import { createPipeline } from './services/create-pipeline';
import { latestJobs, processPipelineNow } from './services/process-pipeline';
import { writeFile } from './services/repository-files';
import { cancelTarget } from './state/job-events';
import { transitionFields } from './state/transition-fields';
import { getPipelineJobs, jobStatusCheck, updateJob } from './store/jobs';
import { readPipelineWithJobs, touchPipeline } from './store/pipelines';
import { createProject, getProject } from './store/projects';
import { ensureRootUser } from './store/users';

/**
 * The GitLab pipeline engine as another dialect uses it (CodeArts Build runs its builds on it):
 * internal projects owned by the administrator `root`, a CI file committed to them, pipelines
 * started, their jobs read and canceled. Nothing outside shared/gitlab/ reaches further in.
 */
export type { JobRecord, PipelineRecord };
export type { JobStatus } from './state/statuses';

export interface InternalProject {
  name: string;
  path: string;
  namespacePath: string;
  namespaceName: string;
  description: string;
  branch: string;
  ciPath: string;
  ciText: string;
  commitMessage: string;
}

/** A private project of `root` with its CI file committed on `branch`; answers its id. */
export async function createInternalProject(spec: InternalProject): Promise<number> {
  const root = await ensureRootUser();
  const project = await createProject({
    name: spec.name,
    path: spec.path,
    namespacePath: spec.namespacePath,
    namespaceName: spec.namespaceName,
    description: spec.description,
    visibility: 'private',
    publicBuilds: false,
    defaultBranch: null,
    ciConfigPath: spec.ciPath,
    creatorId: root.id,
  });
  await writeFile({ project, user: root, branch: spec.branch, filePath: spec.ciPath, content: Buffer.from(spec.ciText), commitMessage: spec.commitMessage, mode: 'create' });
  return project.id;
}

/**
 * A pipeline of the project on `ref` as `root`, with these variables, stored in one transaction
 * with the items `alsoWrite` gives for it and its job named `jobName`.
 */
export async function startInternalPipeline(
  projectId: number,
  ref: string,
  variables: Record<string, string>,
  jobName: string,
  alsoWrite: (pipeline: PipelineRecord, job: JobRecord) => TransactItem[],
): Promise<void> {
  const [project, root] = await Promise.all([getProject(projectId), ensureRootUser()]);
  if (!project) throw new Error(`the GitLab project ${projectId} of a build task is missing`);
  await createPipeline({
    project,
    user: root,
    ref,
    source: 'api',
    variables: Object.entries(variables).map(([key, value]) => ({ key, value, variableType: 'env_var' })),
    alsoWrite: (pipeline, jobs) => {
      const job = jobs.find((candidate) => candidate.name === jobName);
      if (!job) throw new Error(`the CI file of GitLab project ${projectId} has no ${jobName} job`);
      return alsoWrite(pipeline, job);
    },
  });
}

/** The jobs as they are now (by job id); a job retried through GitLab is followed to its retry. */
export async function currentJobsOf(refs: readonly { pipelineId: number; jobId: number }[]): Promise<Map<number, JobRecord>> {
  const byId = await getPipelineJobs(refs);
  const jobs = new Map<number, JobRecord>();
  for (const ref of refs) {
    let job = byId.get(ref.jobId);
    if (job?.retried) {
      const read = await readPipelineWithJobs(ref.pipelineId);
      job = latestJobs(read?.jobs ?? []).find((candidate) => candidate.name === job!.name) ?? job;
    }
    if (job) jobs.set(ref.jobId, job);
  }
  return jobs;
}

/**
 * GitLab's cancel of a job, for the caller's transaction: a job not yet taken is canceled (no
 * runner will claim it), a running one too (its runner hears `Job-Status: canceled` on its next
 * call) or `canceling` for runners that cancel gracefully. Conditioned on the status read, so a
 * runner finishing the job meanwhile makes the whole transaction fail.
 */
export function cancelJobWrites(job: JobRecord, now: number): TransactItem[] {
  const target = cancelTarget(job);
  if (target) return [updateJob(job, transitionFields(job, target, now), [job.status]), touchPipeline(job.pipelineId, now)];
  return [jobStatusCheck(job)];
}

/** GitLab's processing of a pipeline after its jobs changed (after a cancel: it becomes canceled). */
export async function processPipeline(pipelineId: number): Promise<void> {
  await processPipelineNow(pipelineId);
}
