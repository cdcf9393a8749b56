import type { TransactItem } from '../storage/transact';
import type { JobRecord, PipelineRecord } from './records';
import { createPipeline, processPipelineNow } from './services/pipeline-engine';
import { latestJobs } from './services/process-pipeline';
import { writeFile } from './services/repository-files';
import { findCommitIn } from './services/repository-reads';
import { fileIn, openProjectRepository, resolveIn } from './git/commits';
import { BRANCH_PREFIX, TAG_PREFIX } from './git/ref-names';
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

/** What a build asks to check out: a branch, a tag, a commit of the project's repository. */
export interface CodeToBuild {
  branch?: string | null;
  tag?: string | null;
  commit?: string | null;
}

/** Where an internal pipeline's CI file lives (`ciPath` on `mainBranch`) and what its job checks out. */
export interface InternalCheckout {
  mainBranch: string;
  ciPath: string;
  code: CodeToBuild;
}

/**
 * The ref and commit a build's job checks out: the tag, else the branch, else `mainBranch`, at
 * the commit when it names one there; what the repository does not hold is left at
 * `mainBranch`'s head. The CI file is always the one on `mainBranch`.
 */
async function checkoutOf(projectId: number, { mainBranch, ciPath, code }: InternalCheckout) {
  const repo = await openProjectRepository(projectId);
  const main = await resolveIn(repo, mainBranch);
  const configText = main ? (await fileIn(repo, main, ciPath))?.content.toString('utf8') : undefined;
  let ref = mainBranch;
  let tag = false;
  if (code.tag && repo.refs.has(`${TAG_PREFIX}${code.tag}`)) [ref, tag] = [code.tag, true];
  else if (code.branch && repo.refs.has(`${BRANCH_PREFIX}${code.branch}`)) ref = code.branch;
  const commit = code.commit ? await findCommitIn(repo, code.commit) : undefined;
  return { ref, tag, sha: commit?.sha, configText };
}

/**
 * A pipeline of the project as `root`, with these variables, stored in one transaction with the
 * items `alsoWrite` gives for it and its job named `jobName`.
 */
export async function startInternalPipeline(
  projectId: number,
  checkout: InternalCheckout,
  variables: Record<string, string>,
  jobName: string,
  alsoWrite: (pipeline: PipelineRecord, job: JobRecord) => TransactItem[],
): Promise<void> {
  const [project, root] = await Promise.all([getProject(projectId), ensureRootUser()]);
  if (!project) throw new Error(`the GitLab project ${projectId} of a build task is missing`);
  await createPipeline({
    project,
    user: root,
    ...(await checkoutOf(project.id, checkout)),
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
