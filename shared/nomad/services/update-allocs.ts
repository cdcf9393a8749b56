import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { nextIndex } from '../../storage/index-clock';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { badRequest } from '../http/errors';
import { summaryTransition } from '../status/summary';
import { findAlloc, storedAllocFromItem, type StoredAlloc } from '../store/allocs';
import { changeDeployment, findDeployment } from '../store/deployments';
import { putNewEval } from '../store/evals';
import { jobDeltaUpdate, type JobDelta } from '../store/job-counters';
import { readJob } from '../store/jobs';
import { allocSk, jobPk } from '../store/keys';
import { nodeUsageChange, readNode } from '../store/nodes';
import { isClientTerminal, type AllocDeploymentStatus, type ClientStatus, type TaskState } from '../structs/allocation';
import type { Evaluation } from '../structs/evaluation';
import { enqueueEvals } from '../worker/eval-queue';
import { unblockEvals } from '../worker/unblock';
import { reactToHealth } from './deployments';
import { newEval } from './new-eval';

/**
 * Client status updates, our HTTP form of Nomad's Node.UpdateAlloc:
 * `PUT /v1/node/:node_id/allocations` with `{"Allocs": [{ID, ClientStatus, ClientDescription,
 * TaskStates, DeploymentStatus}]}`. Each update is one transaction: the allocation (conditioned on
 * the version read), the job's summary and status counters, the capacity a finished allocation
 * gives back to its node, the deployment's health counters when the client reports health, and
 * an `alloc-failure` evaluation when it failed (the scheduler reschedules it per its policy).
 * Afterwards freed capacity gives blocked evaluations another try and the deployment watcher
 * looks at the new health.
 */
export interface ClientAllocUpdate {
  ID: string;
  ClientStatus: ClientStatus;
  ClientDescription?: string;
  TaskStates?: Record<string, TaskState> | null;
  DeploymentStatus?: Partial<AllocDeploymentStatus> | null;
}

export interface UpdateAllocsResult {
  Index: number;
  /** What each update did, for the callers that react to it (rescheduling, deployments). */
  updated: { before: StoredAlloc; after: StoredAlloc }[];
}

async function readAllocItem(namespace: string, jobId: string, allocId: string): Promise<StoredAlloc | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: config().tableName, Key: { PK: jobPk(namespace, jobId), SK: allocSk(allocId) }, ConsistentRead: true }),
  );
  return result.Item ? storedAllocFromItem(result.Item) : undefined;
}

function allocUpdateItem(before: StoredAlloc, update: ClientAllocUpdate, live: boolean, index: number, nanos: number): TransactItem {
  const { alloc } = before;
  const names: Record<string, string> = {
    '#client': 'ClientStatus',
    '#description': 'ClientDescription',
    '#live': 'Live',
    '#modify': 'ModifyIndex',
    '#time': 'ModifyTime',
  };
  const values: Record<string, unknown> = {
    ':client': update.ClientStatus,
    ':description': update.ClientDescription ?? '',
    ':live': live,
    ':modify': index,
    ':time': nanos,
    ':expected': alloc.ModifyIndex,
  };
  const sets = ['#client = :client', '#description = :description', '#live = :live', '#modify = :modify', '#time = :time'];
  if (update.TaskStates !== undefined) {
    names['#tasks'] = 'TaskStates';
    values[':tasks'] = update.TaskStates;
    sets.push('#tasks = :tasks');
  }
  if (update.DeploymentStatus) {
    names['#deployment'] = 'DeploymentStatus';
    values[':deployment'] = {
      Healthy: update.DeploymentStatus.Healthy ?? alloc.DeploymentStatus?.Healthy ?? null,
      Timestamp: update.DeploymentStatus.Timestamp ?? new Date(nanos / 1_000_000).toISOString(),
      Canary: alloc.DeploymentStatus?.Canary ?? false,
      ModifyIndex: index,
    };
    sets.push('#deployment = :deployment');
  }
  return {
    Update: {
      TableName: config().tableName,
      Key: { PK: jobPk(alloc.Namespace, alloc.JobID), SK: allocSk(alloc.ID) },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: '#modify = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

function releaseItem(before: StoredAlloc): TransactItem {
  return nodeUsageChange(before.alloc.NodeID, { CpuShares: -before.claim.CpuShares, MemoryMB: -before.claim.MemoryMB, DiskMB: -before.claim.DiskMB });
}

/** How the report moves the deployment's health counters (Nomad's updateDeploymentWithAlloc). */
function healthChange(before: StoredAlloc, update: ClientAllocUpdate): { healthy: number; unhealthy: number } | undefined {
  const reported = update.DeploymentStatus?.Healthy;
  if (!before.alloc.DeploymentID || (reported !== true && reported !== false)) return undefined;
  const previous = before.alloc.DeploymentStatus?.Healthy;
  if (previous === null || previous === undefined) return reported ? { healthy: 1, unhealthy: 0 } : { healthy: 0, unhealthy: 1 };
  if (previous && !reported) return { healthy: -1, unhealthy: 1 };
  return undefined;
}

async function failureEval(before: StoredAlloc, update: ClientAllocUpdate, index: number, now: number): Promise<Evaluation | undefined> {
  if (update.ClientStatus !== 'failed' || before.alloc.ClientStatus === 'failed' || before.alloc.FollowupEvalID) return undefined;
  const record = await readJob(before.alloc.Namespace, before.alloc.JobID);
  if (!record || record.job.CreateIndex !== before.jobCreateIndex || (record.job.Type !== 'service' && record.job.Type !== 'batch')) return undefined;
  return newEval({
    namespace: record.job.Namespace,
    jobId: record.job.ID,
    type: record.job.Type,
    priority: record.job.Priority,
    triggeredBy: 'alloc-failure',
    jobModifyIndex: record.job.JobModifyIndex,
    index,
    now,
  });
}

async function applyOne(nodeId: string, update: ClientAllocUpdate): Promise<{ before: StoredAlloc; after: StoredAlloc; index: number; evaluation?: Evaluation }> {
  const located = await findAlloc(update.ID);
  if (!located) throw badRequest(`alloc ${update.ID} not found`);
  let withJob = true;
  for (let attempt = 0; ; attempt++) {
    const before = await readAllocItem(located.alloc.Namespace, located.alloc.JobID, update.ID);
    if (!before) throw badRequest(`alloc ${update.ID} not found`);
    if (before.alloc.NodeID !== nodeId) throw badRequest(`alloc ${update.ID} is not on node ${nodeId}`);
    const index = nextIndex();
    const nanos = Date.now() * 1_000_000;
    const live = before.live && !isClientTerminal(update.ClientStatus);
    const released = before.live && !live;
    const items: TransactItem[] = [allocUpdateItem(before, update, live, index, nanos)];
    if (released) items.push(releaseItem(before));
    const summary = summaryTransition(before.alloc.ClientStatus, update.ClientStatus);
    const health = healthChange(before, update);
    if (health) {
      const deployment = await findDeployment(before.alloc.DeploymentID);
      const deadline = deployment?.TaskGroups[before.alloc.TaskGroup]?.ProgressDeadline ?? 0;
      const reportedAt = update.DeploymentStatus?.Timestamp ? Date.parse(update.DeploymentStatus.Timestamp) : Date.now();
      if (deployment) {
        items.push(
          changeDeployment(
            deployment,
            {
              groups: {
                [before.alloc.TaskGroup]: {
                  ...health,
                  progressBy: health.healthy > 0 && deadline > 0 ? new Date((Number.isFinite(reportedAt) ? reportedAt : Date.now()) + deadline / 1_000_000).toISOString() : undefined,
                },
              },
            },
            index,
          ),
        );
      }
    }
    const evaluation = withJob ? await failureEval(before, update, index, nanos / 1_000_000) : undefined;
    if (evaluation) items.push(putNewEval(evaluation));
    const jobPosition = items.length;
    const delta: JobDelta = { liveAllocs: released ? -1 : 0, summary: { [before.alloc.TaskGroup]: summary } };
    if (evaluation) Object.assign(delta, { openEvals: 1, hadEval: true });
    if (withJob && (released || Object.keys(summary).length > 0 || evaluation)) {
      items.push(jobDeltaUpdate(before.alloc.Namespace, before.alloc.JobID, before.jobCreateIndex, delta, index));
    }
    try {
      await transact(items);
      const after: StoredAlloc = {
        ...before,
        live,
        alloc: {
          ...before.alloc,
          ClientStatus: update.ClientStatus,
          ClientDescription: update.ClientDescription ?? '',
          TaskStates: update.TaskStates !== undefined ? update.TaskStates : before.alloc.TaskStates,
          ModifyIndex: index,
          ModifyTime: nanos,
        },
      };
      return { before, after, index, evaluation };
    } catch (error) {
      if (!(error instanceof TransactionConflict) || attempt >= 5) throw error;
      // The job was purged or registered anew: its counters no longer track this allocation.
      if (error.failedConditions.includes(jobPosition)) withJob = false;
    }
  }
}

/**
 * A deployment allocation that fails before its health is known is unhealthy, as Nomad's client
 * reports it; an agent that does not say so explicitly gets the same treatment.
 */
function withImpliedHealth(update: ClientAllocUpdate, before: StoredAlloc | undefined): ClientAllocUpdate {
  if (update.ClientStatus !== 'failed' || !before?.alloc.DeploymentID) return update;
  const known = before.alloc.DeploymentStatus?.Healthy;
  if (known === true || known === false || typeof update.DeploymentStatus?.Healthy === 'boolean') return update;
  return { ...update, DeploymentStatus: { ...(update.DeploymentStatus ?? {}), Healthy: false } };
}

export async function updateAllocsFromClient(nodeId: string, updates: ClientAllocUpdate[]): Promise<UpdateAllocsResult> {
  const result: UpdateAllocsResult = { Index: 0, updated: [] };
  const evals: Evaluation[] = [];
  const healthChanged = new Map<string, Set<string>>();
  for (const reported of updates) {
    const update = reported.ClientStatus === 'failed' ? withImpliedHealth(reported, await findAlloc(reported.ID)) : reported;
    const { before, after, index, evaluation } = await applyOne(nodeId, update);
    result.Index = Math.max(result.Index, index);
    result.updated.push({ before, after });
    if (evaluation) evals.push(evaluation);
    if (healthChange(before, update)) {
      const changed = healthChanged.get(before.alloc.DeploymentID) ?? new Set<string>();
      changed.add(before.alloc.ID);
      healthChanged.set(before.alloc.DeploymentID, changed);
    }
  }
  if (evals.length > 0) await enqueueEvals(evals);
  for (const [deploymentId, changed] of healthChanged) await reactToHealth(deploymentId, changed);
  if (result.updated.some(({ before, after }) => before.live && !after.live)) {
    const node = await readNode(nodeId);
    await unblockEvals({ nodeClass: node?.node.ComputedClass });
  }
  return result;
}
