import { nextIndex } from '../../storage/index-clock';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { badRequest, notFound } from '../errors';
import { specChanged } from '../jobspec/spec-changed';
import {
  DEPLOYMENT_DESCRIPTIONS,
  noRollbackTargetDescription,
  rollbackDescription,
  rollbackNoopDescription,
  runningDescription,
} from '../scheduler/deployment-state';
import { missedProgressDeadline, watchDeployment } from '../scheduler/deployment-watch';
import { allocHealthItem, desiredTransitionItem, readJobAllocs } from '../store/allocs';
import { changeDeployment, listActiveDeployments, readDeployment, type DeploymentChange } from '../store/deployments';
import { putNewEval } from '../store/evals';
import { jobDeltaUpdate, type JobDelta } from '../store/job-counters';
import { putJobVersion, readJob, writeJobItem, type JobRecord } from '../store/jobs';
import { listJobVersions } from '../store/job-versions';
import type { Allocation } from '../structs/allocation';
import { isActiveDeployment, type Deployment } from '../structs/deployment';
import type { Evaluation } from '../structs/evaluation';
import type { Job } from '../structs/job';
import { queueNewEvals } from '../store/eval-queue';
import { newEval } from './new-eval';

/**
 * Steering deployments: the operator's promote, fail, pause/resume and allocation health
 * (`/v1/deployment/...`), and the deployment watcher's own moves on allocation health and
 * progress deadlines. Every change is one transaction with the job's counters and, where the
 * scheduler must act, a `deployment-watcher` evaluation; a failed deployment with AutoRevert
 * first registers the latest stable version again.
 */
export interface DeploymentUpdateResult {
  /** The evaluation the change filed (the revert's, when it rolled the job back). */
  evaluation?: Evaluation;
  /** The version a failed deployment's job was rolled back to as a new one. */
  revertedJobVersion?: number;
  index: number;
}

function watcherEval(deployment: Deployment, job: Job, index: number, now: number): Evaluation {
  const evaluation = newEval({
    namespace: deployment.Namespace,
    jobId: deployment.JobID,
    type: job.Type,
    priority: deployment.EvalPriority || job.Priority,
    triggeredBy: 'deployment-watcher',
    jobModifyIndex: job.JobModifyIndex,
    index,
    now,
  });
  evaluation.DeploymentID = deployment.ID;
  return evaluation;
}

interface Commit {
  change?: DeploymentChange;
  withEval: boolean;
  delta?: JobDelta;
  extra?: TransactItem[];
}

/** One deployment change, its job counters and (optionally) an evaluation, committed together. */
async function commit(deployment: Deployment, record: JobRecord, work: Commit): Promise<DeploymentUpdateResult> {
  const index = nextIndex();
  const now = Date.now();
  const evaluation = work.withEval ? watcherEval(deployment, record.job, index, now) : undefined;
  const delta: JobDelta = { ...(work.delta ?? {}) };
  const items: TransactItem[] = [...(work.extra ?? [])];
  if (work.change) items.push(changeDeployment(deployment, work.change, index));
  if (evaluation) {
    items.push(putNewEval(evaluation));
    delta.openEvals = (delta.openEvals ?? 0) + 1;
    delta.hadEval = true;
  }
  if (Object.keys(delta).length > 0) items.push(jobDeltaUpdate(record.job.Namespace, record.job.ID, record.job.CreateIndex, delta, index));
  await transact(items);
  if (evaluation) await queueNewEvals([evaluation]);
  return { evaluation, index };
}

async function jobOf(deployment: Deployment): Promise<JobRecord> {
  const record = await readJob(deployment.Namespace, deployment.JobID);
  if (!record) throw notFound('job not found');
  return record;
}

async function deploymentAllocs(deployment: Pick<Deployment, 'Namespace' | 'JobID' | 'ID'>): Promise<Allocation[]> {
  return (await readJobAllocs(deployment.Namespace, deployment.JobID)).filter((stored) => stored.alloc.DeploymentID === deployment.ID).map((stored) => stored.alloc);
}

/** The newest version marked stable, from the version items. */
async function latestStableVersion(namespace: string, jobId: string): Promise<Job | undefined> {
  return (await listJobVersions(namespace, jobId)).find((entry) => entry.job.Stable)?.job;
}

/** Registers the stable version again as the newest one (Nomad's revert). Returns it. */
async function revertTo(record: JobRecord, stable: Job, deployment: Deployment): Promise<{ version: number; evaluation: Evaluation }> {
  const index = nextIndex();
  const now = Date.now();
  const current = record.job;
  const job: Job = {
    ...structuredClone(stable),
    Stop: false,
    Version: current.Version + 1,
    Stable: false,
    VersionTag: null,
    CreateIndex: current.CreateIndex,
    ModifyIndex: index,
    JobModifyIndex: index,
    SubmitTime: now * 1_000_000,
  };
  const evaluation = watcherEval(deployment, job, index, now);
  evaluation.JobModifyIndex = index;
  await transact([
    writeJobItem({ job, expectedJobModifyIndex: current.JobModifyIndex, index, specChanged: true, newEval: true }),
    putJobVersion(job),
    putNewEval(evaluation),
  ]);
  await queueNewEvals([evaluation]);
  return { version: job.Version, evaluation };
}

/**
 * Fails a deployment; with `rollback`, first registers the latest stable version again (unless
 * it is the same spec). Used by the operator's fail, unhealthy allocations and missed deadlines.
 */
async function failWith(deployment: Deployment, record: JobRecord, base: string, rollback: boolean): Promise<DeploymentUpdateResult> {
  let description = base;
  let reverted: { version: number; evaluation: Evaluation } | undefined;
  if (rollback) {
    const stable = await latestStableVersion(deployment.Namespace, deployment.JobID);
    if (!stable) description = noRollbackTargetDescription(base);
    else if (!specChanged(record.job, stable)) description = rollbackNoopDescription(base, stable.Version);
    else {
      description = rollbackDescription(base, stable.Version);
      reverted = await revertTo(record, stable, deployment);
    }
  }
  const result = await commit(deployment, record, {
    change: { status: 'failed', description },
    withEval: !reverted,
    delta: { activeDeployments: -1 },
  });
  if (reverted) {
    result.evaluation = reverted.evaluation;
    result.revertedJobVersion = reverted.version;
  }
  return result;
}

export async function failDeployment(deployment: Deployment): Promise<DeploymentUpdateResult> {
  if (!isActiveDeployment(deployment.Status)) throw badRequest("can't fail terminal deployment");
  const record = await jobOf(deployment);
  const rollback = Object.values(deployment.TaskGroups).some((state) => state.AutoRevert);
  return failWith(deployment, record, DEPLOYMENT_DESCRIPTIONS.failedByUser, rollback);
}

export async function pauseDeployment(deployment: Deployment, pause: boolean): Promise<DeploymentUpdateResult> {
  if (!isActiveDeployment(deployment.Status)) throw badRequest(pause ? "can't pause terminal deployment" : "can't resume terminal deployment");
  const record = await jobOf(deployment);
  const resumed = { ...deployment, Status: 'running' as const };
  return commit(deployment, record, {
    change: pause ? { status: 'paused', description: DEPLOYMENT_DESCRIPTIONS.paused } : { status: 'running', description: runningDescription(resumed) },
    withEval: !pause,
  });
}

export async function promoteDeployment(deployment: Deployment, request: { all: boolean; groups: string[] }): Promise<DeploymentUpdateResult> {
  if (!isActiveDeployment(deployment.Status)) throw badRequest("can't promote terminal deployment");
  const [record, allocs] = await Promise.all([jobOf(deployment), deploymentAllocs(deployment)]);
  return promote(deployment, record, request, allocs);
}

async function promote(deployment: Deployment, record: JobRecord, request: { all: boolean; groups: string[] }, allocs: Allocation[]): Promise<DeploymentUpdateResult> {
  const chosen = (group: string) => request.all || request.groups.includes(group);
  const canaryIds = new Set(Object.values(deployment.TaskGroups).flatMap((state) => state.PlacedCanaries ?? []));
  const unhealthy: string[] = [];
  let haveCanaries = false;
  for (const alloc of allocs) {
    if (!canaryIds.has(alloc.ID) || !chosen(alloc.TaskGroup)) continue;
    if (alloc.DeploymentStatus?.Healthy !== true) unhealthy.push(`Canary allocation "${alloc.ID}" for group "${alloc.TaskGroup}" is not healthy`);
    else haveCanaries = true;
  }
  if (unhealthy.length === 1) throw badRequest(`1 error occurred:\n\t* ${unhealthy[0]}\n\n`);
  if (unhealthy.length > 1) throw badRequest(`${unhealthy.length} errors occurred:\n\t${unhealthy.map((text) => `* ${text}`).join('\n\t')}\n\n`);
  if (!haveCanaries) throw badRequest('no canaries to promote');
  const promoted: Deployment = structuredClone(deployment);
  const groups: DeploymentChange['groups'] = {};
  for (const [name, state] of Object.entries(promoted.TaskGroups)) {
    if (!chosen(name)) continue;
    state.Promoted = true;
    groups[name] = { promoted: true };
  }
  const change: DeploymentChange = { groups };
  if (promoted.Status === 'running') change.description = runningDescription(promoted);
  return commit(deployment, record, { change, withEval: true });
}

/** Operator-set allocation health (`/v1/deployment/allocation-health/:id`), for manual health checks. */
export async function setAllocHealth(deployment: Deployment, healthyIds: string[], unhealthyIds: string[]): Promise<DeploymentUpdateResult> {
  if (!isActiveDeployment(deployment.Status)) throw badRequest("can't set health of allocations for a terminal deployment");
  if (healthyIds.length + unhealthyIds.length === 0) throw badRequest('must specify at least one healthy/unhealthy allocation ID');
  const [record, allocs] = await Promise.all([jobOf(deployment), readJobAllocs(deployment.Namespace, deployment.JobID)]);
  const index = nextIndex();
  const items: TransactItem[] = [];
  const groups: NonNullable<DeploymentChange['groups']> = {};
  const timestamp = new Date().toISOString();
  for (const [ids, healthy] of [[healthyIds, true], [unhealthyIds, false]] as const) {
    for (const allocId of ids) {
      const stored = allocs.find((entry) => entry.alloc.ID === allocId);
      if (!stored) throw badRequest(`unknown alloc "${allocId}"`);
      if (stored.alloc.DeploymentID !== deployment.ID) throw badRequest(`alloc "${allocId}" is not part of deployment "${deployment.ID}"`);
      const before = stored.alloc.DeploymentStatus?.Healthy;
      const counters = (groups[stored.alloc.TaskGroup] ??= {});
      if (before === undefined || before === null) {
        if (healthy) counters.healthy = (counters.healthy ?? 0) + 1;
        else counters.unhealthy = (counters.unhealthy ?? 0) + 1;
      } else if (before && !healthy) {
        counters.healthy = (counters.healthy ?? 0) - 1;
        counters.unhealthy = (counters.unhealthy ?? 0) + 1;
      }
      items.push(allocHealthItem(stored.alloc, { Healthy: healthy, Timestamp: timestamp, Canary: stored.alloc.DeploymentStatus?.Canary ?? false, ModifyIndex: index }, index));
    }
  }
  const result = await commit(deployment, record, { change: { groups }, withEval: true, extra: items });
  await reactToHealth(deployment, new Set(healthyIds));
  return result;
}

/**
 * The watcher's reaction to allocation health reported by clients: fail or roll back, let
 * unhealthy allocations be replaced, promote canaries, or evaluate so the rollout moves on.
 */
export async function reactToHealth(ref: Pick<Deployment, 'Namespace' | 'JobID' | 'ID'>, changed: Set<string>): Promise<void> {
  const [deployment, record, allocs] = await Promise.all([readDeployment(ref), readJob(ref.Namespace, ref.JobID), deploymentAllocs(ref)]);
  if (!deployment || !isActiveDeployment(deployment.Status) || !record) return;
  const decision = watchDeployment(deployment, allocs, record.job, changed, Date.now());
  try {
    if (decision.fail) {
      await failWith(deployment, record, DEPLOYMENT_DESCRIPTIONS.failedAllocations, decision.rollback);
      return;
    }
    if (decision.promote) {
      await promote(deployment, record, { all: true, groups: [] }, allocs);
      return;
    }
    if (decision.allowReschedule.length > 0 || decision.evaluate) {
      const index = nextIndex();
      const marks = decision.allowReschedule.map((allocId) => desiredTransitionItem({ Namespace: deployment.Namespace, JobID: deployment.JobID, ID: allocId }, 'Reschedule', index));
      await commit(deployment, record, { withEval: true, extra: marks });
    }
  } catch (error) {
    // Someone else moved the deployment first (another report, an operator): nothing is lost.
    if (!(error instanceof TransactionConflict)) throw error;
  }
}

/** Fails deployments whose progress deadline passed without enough healthy allocations. */
export async function enforceProgressDeadlines(now: number): Promise<number> {
  let failed = 0;
  for (const deployment of await listActiveDeployments()) {
    const groups = Object.values(deployment.TaskGroups);
    if (!groups.some((state) => state.RequireProgressBy && Date.parse(state.RequireProgressBy) <= now)) continue;
    const record = await readJob(deployment.Namespace, deployment.JobID);
    if (!record) continue;
    const verdict = missedProgressDeadline(deployment, await deploymentAllocs(deployment), record.job, now);
    if (!verdict.fail) continue;
    try {
      await failWith(deployment, record, DEPLOYMENT_DESCRIPTIONS.progressDeadline, verdict.rollback);
      failed++;
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
    }
  }
  return failed;
}

