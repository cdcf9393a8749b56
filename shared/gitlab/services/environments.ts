import { parseDurationSeconds } from '../ci-config/duration';
import type { JobRecord } from '../records';
import { deploys, environmentSlug, environmentState, guessTier, tierOf, type DeploymentTier, type DeploymentView, type EnvironmentRecord, type EnvironmentView } from '../state/environments';
import { ENVIRONMENT_NAME } from '../ci-config/job';
import { nextId } from '../store/counters';
import { ensureEnvironment, listDeployments, listEnvironments, nextDeploymentIid, putDeployment, updateEnvironment } from '../store/environments';
import { getJobs } from '../store/jobs';

/**
 * Environments and deployments (GitLab's `Environments::CreateForJobService` and
 * `Deployments::CreateForJobService`): a job with `environment` creates the environment on first
 * use; a `start` job also creates a deployment, whose status is its job's; a `stop` job becomes
 * the environment's stop job. Read back with the jobs they follow.
 */
export async function recordEnvironments(jobs: readonly JobRecord[]): Promise<void> {
  for (const job of jobs) {
    const environment = job.definition.environment;
    if (!environment || job.type !== 'build') continue;
    const now = Date.now();
    const stored = await ensureEnvironment({
      id: await nextId('environment'),
      projectId: job.projectId,
      name: environment.name,
      slug: environmentSlug(environment.name),
      externalUrl: environment.url,
      tier: tierOf(environment),
      autoStopIn: environment.autoStopIn,
      stopJobId: null,
      createdAt: now,
      updatedAt: now,
    });
    if (environment.action === 'stop') {
      await updateEnvironment(job.projectId, environment.name, { stopJobId: job.id });
      continue;
    }
    if (!deploys(environment)) continue;
    await updateEnvironment(job.projectId, environment.name, {
      ...(environment.url ? { externalUrl: environment.url } : {}),
      ...(environment.deploymentTier ? { tier: environment.deploymentTier } : {}),
      autoStopIn: environment.autoStopIn,
    });
    await putDeployment({
      id: await nextId('deployment'),
      iid: await nextDeploymentIid(job.projectId),
      projectId: job.projectId,
      environmentId: stored.id,
      environmentName: environment.name,
      jobId: job.id,
      pipelineId: job.pipelineId,
      ref: job.ref,
      tag: job.tag,
      sha: job.sha,
      userId: job.userId,
      createdAt: now,
    });
  }
}

/** Every environment and deployment of the project, with the jobs their states follow. */
export async function projectDeployments(projectId: number): Promise<{ environments: EnvironmentView[]; deployments: DeploymentView[] }> {
  const [environments, deployments] = await Promise.all([listEnvironments(projectId), listDeployments(projectId)]);
  const jobs = await getJobs([...deployments.map((deployment) => deployment.jobId), ...environments.flatMap((environment) => (environment.stopJobId ? [environment.stopJobId] : []))]);
  const views = deployments.map((deployment) => ({ deployment, job: jobs.get(deployment.jobId) }));
  return {
    deployments: views,
    environments: environments.map((environment) => {
      const own = views.filter((view) => view.deployment.environmentId === environment.id);
      const last = own.filter((view) => view.job?.status === 'success').at(-1) ?? null;
      const stopJob = environment.stopJobId ? jobs.get(environment.stopJobId) : undefined;
      const latest = own.at(-1)?.deployment.jobId ?? null;
      const seconds = environment.autoStopIn && environment.autoStopIn !== 'never' ? parseDurationSeconds(environment.autoStopIn) : undefined;
      const finished = last?.job?.finishedAt ?? null;
      return {
        environment,
        state: environmentState(latest, stopJob, environment.stoppedAt ? { at: environment.stoppedAt, lastDeploymentAt: own.at(-1)?.deployment.createdAt ?? null } : undefined),
        autoStopAt: seconds !== undefined && finished !== null ? finished + seconds * 1000 : null,
        lastDeployment: last,
      };
    }),
  };
}

/** `POST /projects/:id/environments` (GitLab's `Environment` validations). */
export async function createEnvironment(projectId: number, fields: { name: string; externalUrl: string | null; tier: DeploymentTier | null }): Promise<EnvironmentRecord | Record<string, string[]>> {
  const errors: Record<string, string[]> = {};
  if (fields.name === '') errors.name = ["can't be blank"];
  else if (!ENVIRONMENT_NAME.test(fields.name) || fields.name.startsWith('/') || fields.name.endsWith('/') || fields.name.length > 255) {
    errors.name = ["can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'"];
  }
  if (fields.externalUrl !== null && !/^https?:\/\/[^\s]+$/.test(fields.externalUrl)) errors.external_url = ['is blocked: Only allowed schemes are http, https'];
  if (Object.keys(errors).length > 0) return errors;
  const now = Date.now();
  const wanted: EnvironmentRecord = {
    id: await nextId('environment'),
    projectId,
    name: fields.name,
    slug: environmentSlug(fields.name),
    externalUrl: fields.externalUrl,
    tier: fields.tier ?? guessTier(fields.name),
    autoStopIn: null,
    stopJobId: null,
    createdAt: now,
    updatedAt: now,
  };
  const stored = await ensureEnvironment(wanted);
  if (stored.id !== wanted.id) return { name: ['has already been taken'] };
  return stored;
}
