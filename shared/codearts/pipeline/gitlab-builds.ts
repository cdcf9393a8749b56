import { createInternalProject, currentJobsOf, startInternalPipeline, type CodeToBuild, type JobRecord, type PipelineRecord } from '../../gitlab/engine';
import type { TransactItem } from '../../storage/transact';
import type { BuildRecord } from '../records';
import { CI_JOB_NAME } from './steps-to-ci';

/**
 * A build task's side in the GitLab pipeline engine. Each task gets an internal project,
 * `codearts-build/<job id>`: private, owned by the administrator `root` (whom builds run as),
 * with the task's steps committed as `.gitlab-ci.yml` on `main`. A run is a pipeline of that
 * project, its one job is what runners take, and a stop is GitLab's cancel of that job. GitLab
 * users see none of it unless they are administrators.
 */
export const NAMESPACE = 'codearts-build';
const BRANCH = 'main';
const CI_PATH = '.gitlab-ci.yml';

export function createTaskProject(jobId: string, jobName: string, ciText: string): Promise<number> {
  return createInternalProject({
    name: jobName,
    path: jobId,
    namespacePath: NAMESPACE,
    namespaceName: 'CodeArts Build',
    description: `CodeArts build task ${jobId}`,
    branch: BRANCH,
    ciPath: CI_PATH,
    ciText,
    commitMessage: `CodeArts build task ${jobName}`,
  });
}

/**
 * A pipeline of the task's project with these variables, stored in one transaction with the
 * items `alsoWrite` gives for it (the build record and the task's counters). Its job checks out
 * the run's `code` (a tag, else `codeBranch`, else `main`); the steps stay those on `main`.
 */
export function startPipeline(
  gitlabProjectId: number,
  variables: Record<string, string>,
  alsoWrite: (pipeline: PipelineRecord, job: JobRecord) => TransactItem[],
  code: CodeToBuild = {},
): Promise<void> {
  return startInternalPipeline(gitlabProjectId, { mainBranch: BRANCH, ciPath: CI_PATH, code }, variables, CI_JOB_NAME, alsoWrite);
}

/** The job each build's pipeline runs now (by build number); a job retried through GitLab is followed to its retry. */
export async function currentJobs(records: readonly BuildRecord[]): Promise<Map<number, JobRecord>> {
  const jobs = await currentJobsOf(records.map((record) => ({ pipelineId: record.pipelineId, jobId: record.gitlabJobId })));
  return new Map(records.flatMap((record) => (jobs.has(record.gitlabJobId) ? [[record.buildNo, jobs.get(record.gitlabJobId)!] as const] : [])));
}
