import { config } from '../../config';
import { createPipeline } from '../../gitlab/services/create-pipeline';
import { latestJobs, processPipelineNow } from '../../gitlab/services/process-pipeline';
import { writeFile } from '../../gitlab/services/repository-files';
import { findCommitIn } from '../../gitlab/services/repository-reads';
import { fileIn, openProjectRepository, resolveIn } from '../../gitlab/git/commits';
import { BRANCH_PREFIX, TAG_PREFIX } from '../../gitlab/git/ref-names';
import type { JobRecord, PipelineRecord } from '../../gitlab/records';
import { cancelTarget } from '../../gitlab/state/job-events';
import { transitionFields } from '../../gitlab/state/transition-fields';
import { batchGet } from '../../storage/batch-get';
import { jobFromItem, updateJob } from '../../gitlab/store/jobs';
import { jobKey } from '../../gitlab/store/keys';
import { readPipelineWithJobs, touchPipeline } from '../../gitlab/store/pipelines';
import { createProject, getProject } from '../../gitlab/store/projects';
import { ensureRootUser } from '../../gitlab/store/users';
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

export async function createTaskProject(jobId: string, jobName: string, ciText: string): Promise<number> {
  const root = await ensureRootUser();
  const project = await createProject({
    name: jobName,
    path: jobId,
    namespacePath: NAMESPACE,
    namespaceName: 'CodeArts Build',
    description: `CodeArts build task ${jobId}`,
    visibility: 'private',
    publicBuilds: false,
    defaultBranch: null,
    ciConfigPath: CI_PATH,
    creatorId: root.id,
  });
  await writeFile({ project, user: root, branch: BRANCH, filePath: CI_PATH, content: Buffer.from(ciText), commitMessage: `CodeArts build task ${jobName}`, mode: 'create' });
  return project.id;
}

/** What a run asks to build: the `codeBranch` parameter, the run's `scm` tag and commit. */
export interface CodeToBuild {
  branch?: string | null;
  tag?: string | null;
  commit?: string | null;
}

/**
 * Where the build's job checks its code out: the task's project at the run's tag, else its
 * `codeBranch`, else `main`, at the run's commit when it names one there; what the task's
 * repository does not hold is left at `main`'s head. The steps stay those committed on `main`.
 */
async function checkoutOf(projectId: number, code: CodeToBuild): Promise<{ ref: string; tag: boolean; sha: string | undefined; configText: string | undefined }> {
  const repo = await openProjectRepository(projectId);
  const main = await resolveIn(repo, BRANCH);
  const configText = main ? (await fileIn(repo, main, CI_PATH))?.content.toString('utf8') : undefined;
  let ref = BRANCH;
  let tag = false;
  if (code.tag && repo.refs.has(`${TAG_PREFIX}${code.tag}`)) [ref, tag] = [code.tag, true];
  else if (code.branch && repo.refs.has(`${BRANCH_PREFIX}${code.branch}`)) ref = code.branch;
  const commit = code.commit ? await findCommitIn(repo, code.commit) : undefined;
  return { ref, tag, sha: commit?.sha, configText };
}

/**
 * A pipeline of the task's project with these variables, stored in one transaction with the
 * items `alsoWrite` gives for it (the build record and the task's counters).
 */
export async function startPipeline(
  gitlabProjectId: number,
  variables: Record<string, string>,
  alsoWrite: (pipeline: PipelineRecord, job: JobRecord) => TransactItem[],
  code: CodeToBuild = {},
): Promise<void> {
  const [project, root] = await Promise.all([getProject(gitlabProjectId), ensureRootUser()]);
  if (!project) throw new Error(`the GitLab project ${gitlabProjectId} of a build task is missing`);
  const checkout = await checkoutOf(project.id, code);
  await createPipeline({
    project,
    user: root,
    ...checkout,
    source: 'api',
    variables: Object.entries(variables).map(([key, value]) => ({ key, value, variableType: 'env_var' })),
    alsoWrite: (pipeline, jobs) => {
      const job = jobs.find((candidate) => candidate.name === CI_JOB_NAME);
      if (!job) throw new Error(`the CI file of GitLab project ${gitlabProjectId} has no ${CI_JOB_NAME} job`);
      return alsoWrite(pipeline, job);
    },
  });
}

/** The job each build's pipeline runs now (by build number); a job retried through GitLab is followed to its retry. */
export async function currentJobs(records: readonly BuildRecord[]): Promise<Map<number, JobRecord>> {
  const items = await batchGet(records.map((record) => jobKey(record.pipelineId, record.gitlabJobId)), { consistent: true });
  const byId = new Map(items.map((item) => [Number(item.id), jobFromItem(item)]));
  const jobs = new Map<number, JobRecord>();
  for (const record of records) {
    let job = byId.get(record.gitlabJobId);
    if (job?.retried) {
      const read = await readPipelineWithJobs(record.pipelineId);
      job = latestJobs(read?.jobs ?? []).find((candidate) => candidate.name === job!.name) ?? job;
    }
    if (job) jobs.set(record.buildNo, job);
  }
  return jobs;
}

/**
 * GitLab's cancel of a build's job, for the stop's transaction: a job not yet taken is canceled
 * (no runner will claim it), a running one too (its runner hears `Job-Status: canceled` on its next
 * call) or `canceling` for runners that cancel gracefully. Conditioned on the status read, so a
 * runner finishing the job meanwhile makes the whole stop fail and be decided again.
 */
export function cancelWrites(job: JobRecord, now: number): TransactItem[] {
  const target = cancelTarget(job);
  if (target) return [updateJob(job, transitionFields(job, target, now), [job.status]), touchPipeline(job.pipelineId, now)];
  return [
    {
      ConditionCheck: {
        TableName: config().tableName,
        Key: jobKey(job.pipelineId, job.id),
        ConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': job.status },
      },
    },
  ];
}

/** GitLab's processing after a cancel: the pipeline becomes canceled. */
export async function processAfterCancel(pipelineId: number): Promise<void> {
  await processPipelineNow(pipelineId);
}
