import { parseDurationSeconds } from '../ci-config/duration';
import type { JobRecord } from '../records';
import { deploys, environmentSlug, environmentState, tierOf, type DeploymentView, type EnvironmentView } from '../state/environments';
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
        state: environmentState(latest, stopJob),
        autoStopAt: seconds !== undefined && finished !== null ? finished + seconds * 1000 : null,
        lastDeployment: last,
      };
    }),
  };
}
