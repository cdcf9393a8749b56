import type { Deployment, DeploymentState, DeploymentStatusValue } from '../structs/deployment';
import type { Job, UpdateStrategy } from '../structs/job';

/** Nomad's deployment descriptions, word for word (operators and scripts match on them). */
export const DEPLOYMENT_DESCRIPTIONS = {
  running: 'Deployment is running',
  needsPromotion: 'Deployment is running but requires manual promotion',
  autoPromotion: 'Deployment is running pending automatic promotion',
  paused: 'Deployment is paused',
  successful: 'Deployment completed successfully',
  stoppedJob: 'Cancelled because job is stopped',
  newerJob: 'Cancelled due to newer version of job',
  failedAllocations: 'Failed due to unhealthy allocations',
  progressDeadline: 'Failed due to progress deadline',
  failedByUser: 'Deployment marked as failed',
} as const;

export function rollbackDescription(base: string, version: number): string {
  return `${base} - rolling back to job version ${version}`;
}

export function rollbackNoopDescription(base: string, version: number): string {
  return `${base} - not rolling back to stable job version ${version} as current job has same specification`;
}

export function noRollbackTargetDescription(base: string): string {
  return `${base} - no stable job version to auto revert to`;
}

export interface DeploymentStatusUpdate {
  deploymentId: string;
  status: DeploymentStatusValue;
  description: string;
}

/** Nomad's UpdateStrategy.IsEmpty: no update block, or one that asks for nothing. */
export function isEmptyStrategy(update: UpdateStrategy | null | undefined): boolean {
  return !update || update.MaxParallel === 0;
}

export function newGroupState(update: UpdateStrategy | null): DeploymentState {
  return {
    AutoRevert: update?.AutoRevert ?? false,
    AutoPromote: update?.AutoPromote ?? false,
    ProgressDeadline: update?.ProgressDeadline ?? 0,
    RequireProgressBy: null,
    Promoted: false,
    PlacedCanaries: null,
    DesiredCanaries: 0,
    DesiredTotal: 0,
    PlacedAllocs: 0,
    HealthyAllocs: 0,
    UnhealthyAllocs: 0,
  };
}

export function newDeployment(job: Job, evalPriority: number, id: string): Deployment {
  return {
    ID: id,
    Namespace: job.Namespace,
    JobID: job.ID,
    JobVersion: job.Version,
    JobModifyIndex: job.ModifyIndex,
    JobSpecModifyIndex: job.JobModifyIndex,
    JobCreateIndex: job.CreateIndex,
    IsMultiregion: false,
    TaskGroups: {},
    Status: 'running',
    StatusDescription: DEPLOYMENT_DESCRIPTIONS.running,
    EvalPriority: evalPriority,
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

/** Some group has canaries that are not promoted yet. */
export function requiresPromotion(deployment: Deployment): boolean {
  return Object.values(deployment.TaskGroups).some((state) => state.DesiredCanaries > 0 && !state.Promoted);
}

/** Every group that has canaries promotes them automatically. */
function hasAutoPromote(deployment: Deployment): boolean {
  const canaryGroups = Object.values(deployment.TaskGroups).filter((state) => state.DesiredCanaries > 0);
  return canaryGroups.length > 0 && canaryGroups.every((state) => state.AutoPromote);
}

/** The description a running deployment should carry. */
export function runningDescription(deployment: Deployment): string {
  if (!requiresPromotion(deployment)) return DEPLOYMENT_DESCRIPTIONS.running;
  return hasAutoPromote(deployment) ? DEPLOYMENT_DESCRIPTIONS.autoPromotion : DEPLOYMENT_DESCRIPTIONS.needsPromotion;
}
