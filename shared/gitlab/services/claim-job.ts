import { newSecret, tokenPut } from '../../auth/store/token-store';
import { transact, TransactionConflict } from '../../storage/transact';
import { jobRequestResponse } from '../entities/job-request';
import type { JobPayload } from '../entities/runner-protocol';
import type { JobRecord, RunnerRecord } from '../records';
import { runnerCanPick } from '../state/runner-matching';
import { transitionFields } from '../state/transition-fields';
import { queryPendingJobs, updateJob } from '../store/jobs';
import { touchPipeline } from '../store/pipelines';
import { fullPath, getProject } from '../store/projects';
import { listInstanceVariables } from '../store/instance-variables';
import { listProjectVariables } from '../store/project-variables';
import { variablesForJob } from '../state/ci-variables';
import { getCommit } from '../git/commits';
import { updateRunner } from '../store/runners';
import { getUser } from '../store/users';
import { processPipelineNow } from './pipeline-engine';
import { latestJobs } from './process-pipeline';
import { dotenvVariablesOf } from './dotenv-variables';
import { crossDependencies } from './cross-needs';
import { idTokenVariables } from './id-tokens';
import { accessLevelIn } from '../auth/policy';
import { config } from '../../config';
import { recordRunnerJobWait } from '../../observability/metrics';

/**
 * `POST /jobs/request`: the oldest pending build this runner may take becomes running for it, in
 * one transaction with the job token it runs with. The job's status is the condition, so of two
 * runners racing for a job exactly one gets it; the other moves on to the next job.
 */
export type RequestResult = { kind: 'job'; payload: JobPayload } | { kind: 'none'; lastUpdate: string };

const SCAN_LIMIT = 500;
const CONTACT_INTERVAL_MS = 60_000;

export interface RequestParams {
  lastUpdate?: string;
  info?: Record<string, unknown>;
}

function dependenciesOf(job: JobRecord, jobs: JobRecord[]): JobRecord[] {
  const latest = latestJobs(jobs).filter((other) => other.id !== job.id && other.type === 'build');
  const definition = job.definition;
  let names: string[] | undefined;
  if (definition.dependencies !== null) names = definition.dependencies;
  else if (definition.needs !== null) names = definition.needs.filter((need) => need.artifacts).map((need) => need.job);
  if (names) return latest.filter((other) => names!.includes(other.name));
  return latest.filter((other) => other.stageIdx < job.stageIdx);
}

async function claim(job: JobRecord, runner: RunnerRecord, graceful: boolean): Promise<{ job: JobRecord; token: string } | undefined> {
  const token = newSecret('glcbt-');
  const { put } = tokenPut(token, { kind: 'gitlab-job', name: `job-${job.id}`, claims: { jobId: job.id, projectId: job.projectId } });
  const now = Date.now();
  const changes: Partial<JobRecord> = { ...transitionFields(job, 'running', now), runnerId: runner.id, runnerCancelsGracefully: graceful };
  try {
    await transact([updateJob(job, changes, ['pending']), touchPipeline(job.pipelineId, now), { Put: put }]);
  } catch (error) {
    if (error instanceof TransactionConflict) return undefined;
    throw error;
  }
  if (job.queuedAt !== null) recordRunnerJobWait(now - job.queuedAt);
  return { job: { ...job, ...changes }, token };
}

export async function requestJob(runner: RunnerRecord, params: RequestParams): Promise<RequestResult> {
  const queueValue = runner.queueValue;
  const now = Date.now();
  // Every request is a heartbeat (GitLab's `authenticate_runner!`), paused runners' and unchanged queues' too.
  const contact =
    runner.contactedAt === null || now - runner.contactedAt > CONTACT_INTERVAL_MS
      ? updateRunner(runner.id, { contactedAt: now, ...(params.info ? { info: params.info } : {}) })
      : Promise.resolve();
  if (runner.paused || (params.lastUpdate !== undefined && params.lastUpdate === queueValue)) {
    await contact;
    return { kind: 'none', lastUpdate: queueValue };
  }
  const features = (params.info?.features ?? {}) as Record<string, unknown>;
  const graceful = features.cancel_gracefully === true;

  let scanned = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryPendingJobs(100, startKey);
    for (const candidate of page.jobs) {
      if (!runnerCanPick(runner, candidate)) continue;
      const claimed = await claim(candidate, runner, graceful);
      if (!claimed) continue;
      await contact;
      const [processed, project, user, commit, projectVariables, instanceVariables] = await Promise.all([
        processPipelineNow(claimed.job.pipelineId),
        getProject(claimed.job.projectId),
        getUser(claimed.job.userId),
        getCommit(claimed.job.projectId, claimed.job.sha),
        listProjectVariables(claimed.job.projectId),
        listInstanceVariables(),
      ]);
      const dependencies = [...dependenciesOf(claimed.job, processed!.jobs), ...(await crossDependencies(claimed.job, processed!.pipeline, user))];
      const idTokens = await idTokenVariables({
        job: claimed.job,
        pipeline: processed!.pipeline,
        project: project!,
        user,
        runner,
        accessLevel: user ? await accessLevelIn({ kind: 'user', user, scopes: ['api'] }, claimed.job.projectId) : 0,
        timeout: Math.min(claimed.job.definition.timeout ?? project!.buildTimeout ?? 3600, runner.maximumTimeout ?? Infinity),
        variables: { CI_SERVER_URL: config().externalUrl, CI_SERVER_HOST: new URL(config().externalUrl).hostname, CI_PROJECT_PATH: fullPath(project!), ...claimed.job.definition.variables },
      });
      const payload = jobRequestResponse({
        idTokens,
        job: claimed.job,
        token: claimed.token,
        project: project!,
        pipeline: processed!.pipeline,
        commit,
        user,
        runner,
        dependencies,
        dotenvVariables: await dotenvVariablesOf(dependencies),
        ciVariables: [
          ...instanceVariables.filter((variable) => !variable.protected || claimed.job.protectedRef),
          ...variablesForJob(projectVariables, { protectedRef: claimed.job.protectedRef, environment: claimed.job.definition.environment?.name ?? null }),
        ],
      });
      return { kind: 'job', payload };
    }
    scanned += page.jobs.length;
    startKey = page.lastKey;
  } while (startKey && scanned < SCAN_LIMIT);
  await contact;
  return { kind: 'none', lastUpdate: queueValue };
}
