import { createHash } from 'node:crypto';
import type { EnvironmentDefinition } from '../ci-config/types';
import type { JobRecord } from '../records';

/**
 * GitLab's rules for environments (`Environment`, `Gitlab::Slug::Environment`): the slug of a name,
 * the tier a name suggests when none is given, and the deployment status that follows its job.
 */
export type DeploymentTier = NonNullable<EnvironmentDefinition['deploymentTier']>;
export type DeploymentStatus = 'created' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'blocked';

/** Lower case letters, digits and `-`, starting with a letter, at most 24 characters; a changed name gets a 6-character suffix of its hash. */
export function environmentSlug(name: string): string {
  let slug = name.toLowerCase().replace(/[^a-z0-9]/g, '-');
  if (!/^[a-z]/.test(slug)) slug = `env-${slug}`;
  slug = slug.replace(/-{2,}/g, '-');
  if (slug.length > 24 || slug !== name) {
    const suffix = BigInt(`0x${createHash('sha256').update(name).digest('hex')}`).toString(36).slice(-6);
    const short = slug.slice(0, 17);
    return `${short}${short.endsWith('-') ? '' : '-'}${suffix}`;
  }
  return slug.replace(/-$/, '');
}

/** `Environment#guess_tier`. */
export function guessTier(name: string): DeploymentTier {
  if (/(dev|review|trunk)/i.test(name)) return 'development';
  if (/(test|tst|int|ac(ce|)pt|qa|qc|control|quality)/i.test(name)) return 'testing';
  if (/(st(a|)g|mod(e|)l|pre|demo|non)/i.test(name)) return 'staging';
  if (/(pr(o|)d|live)/i.test(name)) return 'production';
  return 'other';
}

export function tierOf(environment: EnvironmentDefinition): DeploymentTier {
  return environment.deploymentTier ?? guessTier(environment.name);
}

/** Only `start` jobs deploy (GitLab creates no deployment for `prepare`, `verify`, `access` or `stop`). */
export function deploys(environment: EnvironmentDefinition | null | undefined): environment is EnvironmentDefinition {
  return !!environment && environment.action === 'start';
}

/** The deployment's status as its job's status makes it (`Deployment` state machine following `Ci::Build`). */
export function deploymentStatus(jobStatus: string): DeploymentStatus {
  switch (jobStatus) {
    case 'running':
    case 'canceling':
      return 'running';
    case 'success':
      return 'success';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    case 'skipped':
      return 'skipped';
    default:
      return 'created';
  }
}

/** An environment of a project, created by the first job that names it. */
export interface EnvironmentRecord {
  id: number;
  projectId: number;
  name: string;
  slug: string;
  externalUrl: string | null;
  tier: DeploymentTier;
  /** The `auto_stop_in` of its latest deployment job, as written. */
  autoStopIn: string | null;
  /** The latest job that stops it (`action: stop`), if any. */
  stopJobId: number | null;
  /** When it was stopped through the API without a stop job. */
  stoppedAt?: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A deployment: one job that deploys to an environment; its status follows the job. */
export interface DeploymentRecord {
  id: number;
  iid: number;
  projectId: number;
  environmentId: number;
  environmentName: string;
  jobId: number;
  pipelineId: number;
  ref: string;
  tag: boolean;
  sha: string;
  userId: number;
  createdAt: number;
}

export type EnvironmentState = 'available' | 'stopping' | 'stopped';

/** Stopped once its stop job succeeded after its latest deployment started; stopping while that job runs. */
export function environmentState(
  lastDeploymentJobId: number | null,
  stopJob: { id: number; status: string } | undefined,
  stopped?: { at: number; lastDeploymentAt: number | null },
): EnvironmentState {
  if (stopped && (stopped.lastDeploymentAt === null || stopped.at > stopped.lastDeploymentAt)) return 'stopped';
  if (!stopJob || (lastDeploymentJobId !== null && lastDeploymentJobId > stopJob.id)) return 'available';
  if (stopJob.status === 'success') return 'stopped';
  if (stopJob.status === 'running' || stopJob.status === 'pending') return 'stopping';
  return 'available';
}

/** An environment as read back: its state and auto-stop time from its jobs, and its latest successful deployment. */
export interface EnvironmentView {
  environment: EnvironmentRecord;
  state: EnvironmentState;
  autoStopAt: number | null;
  lastDeployment: DeploymentView | null;
}

export interface DeploymentView {
  deployment: DeploymentRecord;
  job: JobRecord | undefined;
}
