import { nextIndex } from '../../storage/index-clock';
import { MAX_TRANSACT_ITEMS, transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { badRequest } from '../errors';
import { addClaim } from '../scheduler/rank';
import { addSummaryDeltas, summaryTransition } from '../status/summary';
import { allocKey, clientUpdateItem, findAlloc, readAllocsByKey, type AllocClaim, type StoredAlloc } from '../store/allocs';
import { changeDeployment, type GroupCounters } from '../store/deployments';
import { putNewEval } from '../store/evals';
import { readJobsAndDeployments, type JobsAndDeployments as Context } from '../store/jobs-and-deployments';
import { jobDeltaUpdate, type JobDelta } from '../store/job-counters';
import type { JobRecord } from '../store/jobs';
import { nodeUsageChange, readNode } from '../store/nodes';
import { isClientTerminal } from '../structs/allocation';
import type { Deployment } from '../structs/deployment';
import type { Evaluation } from '../structs/evaluation';
import type { ClientAllocUpdate } from '../wire/client-protocol';
import { queueNewEvals } from '../store/eval-queue';
import { unblockEvals } from '../worker/unblock';
import { reactToHealth } from './deployments';
import { newEval } from './new-eval';

/**
 * Client status updates, our HTTP form of Nomad's Node.UpdateAlloc:
 * `PUT /v1/node/:node_id/allocations` with `{"Allocs": [{ID, ClientStatus, ClientDescription,
 * TaskStates, DeploymentStatus}]}`.
 *
 * The updates of a request commit together, in as few transactions as they fit in (one, for what
 * an agent sends at a time): each allocation, conditioned on the version read; per job
 * registration its summary and status counters and, when an allocation failed, one
 * `alloc-failure` evaluation (Nomad creates one per job); per deployment its health counters; and
 * once the capacity finished allocations give back to the node. A condition that fails (the
 * scheduler changed an allocation meanwhile, the job was purged or registered anew) is answered
 * by reading again what did not commit and building it anew. Afterwards freed capacity gives
 * blocked evaluations another try and the deployment watcher looks at the new health.
 */
const MAX_ATTEMPTS = 6;

/** An update with the allocation as it was read, consistently, just before. */
interface Pending {
  update: ClientAllocUpdate;
  before: StoredAlloc;
}

/** Per deployment ID, the deployment and the allocations whose health changed. */
type HealthChanges = Map<string, { deployment: Pick<Deployment, 'Namespace' | 'JobID' | 'ID'>; allocs: Set<string> }>;

/** What committed, for the reactions that follow. */
interface Applied {
  index: number;
  evals: Evaluation[];
  health: HealthChanges;
  released: boolean;
}

export async function updateAllocsFromClient(nodeId: string, updates: ClientAllocUpdate[]): Promise<{ index: number }> {
  const applied: Applied = { index: 0, evals: [], health: new Map(), released: false };
  for (const round of rounds(updates)) await applyRound(nodeId, round, applied);
  await queueNewEvals(applied.evals);
  for (const { deployment, allocs } of applied.health.values()) await reactToHealth(deployment, allocs);
  if (applied.released) {
    const node = await readNode(nodeId);
    if (node) await unblockEvals({ nodes: [node.node] });
  }
  return { index: applied.index };
}

/** Splits the updates so that no allocation is in a round twice (one transaction cannot write an item twice), in order. */
function rounds(updates: ClientAllocUpdate[]): ClientAllocUpdate[][] {
  const result: ClientAllocUpdate[][] = [];
  const seen = new Map<string, number>();
  for (const update of updates) {
    const round = seen.get(update.ID) ?? 0;
    seen.set(update.ID, round + 1);
    (result[round] ??= []).push(update);
  }
  return result;
}

async function applyRound(nodeId: string, updates: ClientAllocUpdate[], applied: Applied): Promise<void> {
  const located = await Promise.all(
    updates.map(async (update) => {
      const found = await findAlloc(update.ID);
      if (!found) throw badRequest(`alloc ${update.ID} not found`);
      return { update, key: allocKey(found.alloc) };
    }),
  );
  // Registrations whose job item no longer counts these allocations (purged, or registered anew).
  const gone = new Set<string>();
  let remaining = located;
  for (let attempt = 0; remaining.length > 0; attempt++) {
    const pending = await readPending(nodeId, remaining);
    const transactions = pack(nodeId, pending, await readContext(pending, gone), gone);
    const committed = new Set<string>();
    for (const transaction of transactions) {
      const { items, ops } = transaction.build();
      try {
        await transact(items);
      } catch (error) {
        if (!(error instanceof TransactionConflict) || attempt + 1 >= MAX_ATTEMPTS) throw error;
        for (const position of error.failedConditions) {
          const op = ops[position];
          if (op.kind === 'job') gone.add(op.registration);
        }
        if (error.transient) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * (1 + Math.random())));
        break;
      }
      transaction.recordInto(applied);
      for (const { update } of transaction.pending) committed.add(update.ID);
    }
    remaining = remaining.filter(({ update }) => !committed.has(update.ID));
  }
}

async function readPending(nodeId: string, located: { update: ClientAllocUpdate; key: Record<string, string> }[]): Promise<Pending[]> {
  const stored = new Map((await readAllocsByKey(located.map(({ key }) => key))).map((read) => [read.alloc.ID, read]));
  return located.map(({ update }) => {
    const before = stored.get(update.ID);
    if (!before) throw badRequest(`alloc ${update.ID} not found`);
    if (before.alloc.NodeID !== nodeId) throw badRequest(`alloc ${update.ID} is not on node ${nodeId}`);
    return { update: withImpliedHealth(update, before), before };
  });
}

/**
 * A deployment allocation that fails before its health is known is unhealthy, as Nomad's client
 * reports it; an agent that does not say so explicitly gets the same treatment.
 */
function withImpliedHealth(update: ClientAllocUpdate, before: StoredAlloc): ClientAllocUpdate {
  if (update.ClientStatus !== 'failed' || !before.alloc.DeploymentID) return update;
  const known = before.alloc.DeploymentStatus?.Healthy;
  if (known === true || known === false || typeof update.DeploymentStatus?.Healthy === 'boolean') return update;
  return { ...update, DeploymentStatus: { ...(update.DeploymentStatus ?? {}), Healthy: false } };
}

/** How the report moves the deployment's health counters (Nomad's updateDeploymentWithAlloc). */
function healthChange({ before, update }: Pending): { healthy: number; unhealthy: number } | undefined {
  const reported = update.DeploymentStatus?.Healthy;
  if (!before.alloc.DeploymentID || (reported !== true && reported !== false)) return undefined;
  const previous = before.alloc.DeploymentStatus?.Healthy;
  if (previous === null || previous === undefined) return reported ? { healthy: 1, unhealthy: 0 } : { healthy: 0, unhealthy: 1 };
  if (previous && !reported) return { healthy: -1, unhealthy: 1 };
  return undefined;
}

/** A failure the scheduler has not heard of yet: it gets an `alloc-failure` evaluation. */
function newlyFailed({ before, update }: Pending): boolean {
  return update.ClientStatus === 'failed' && before.alloc.ClientStatus !== 'failed' && !before.alloc.FollowupEvalID;
}

/** The job registration an allocation belongs to; its counters live on the job item while the job has that CreateIndex. */
function registrationOf(before: StoredAlloc): string {
  return `${before.alloc.Namespace}\n${before.alloc.JobID}\n${before.jobCreateIndex}`;
}

/** The jobs that get a failure evaluation and the deployments whose health moves, in one read. */
function readContext(pending: Pending[], gone: Set<string>): Promise<Context> {
  const jobs = pending
    .filter((entry) => newlyFailed(entry) && !gone.has(registrationOf(entry.before)))
    .map(({ before: { alloc } }) => ({ namespace: alloc.Namespace, jobId: alloc.JobID }));
  const deployments = pending.filter(healthChange).map(({ before: { alloc } }) => ({ Namespace: alloc.Namespace, JobID: alloc.JobID, ID: alloc.DeploymentID }));
  return readJobsAndDeployments(jobs, deployments);
}

/** Fills transactions in order; an update adds at most four items (allocation, job, deployment, evaluation). */
function pack(nodeId: string, pending: Pending[], context: Context, gone: Set<string>): ClientTransaction[] {
  const transactions = [new ClientTransaction(nodeId)];
  const evaluated = new Set<string>();
  for (const entry of pending) {
    let transaction = transactions[transactions.length - 1];
    if (transaction.size() + 4 > MAX_TRANSACT_ITEMS) transactions.push((transaction = new ClientTransaction(nodeId)));
    const registration = registrationOf(entry.before);
    let evaluation: Evaluation | undefined;
    if (newlyFailed(entry) && !gone.has(registration) && !evaluated.has(registration)) {
      evaluation = failureEval(entry.before, context.job(entry.before.alloc.Namespace, entry.before.alloc.JobID), transaction);
      if (evaluation) evaluated.add(registration);
    }
    transaction.add(entry, { counted: !gone.has(registration), evaluation, deployment: context.deployment(entry.before.alloc.DeploymentID) });
  }
  return transactions;
}

function failureEval(before: StoredAlloc, record: JobRecord | undefined, transaction: ClientTransaction): Evaluation | undefined {
  if (!record || record.job.CreateIndex !== before.jobCreateIndex || (record.job.Type !== 'service' && record.job.Type !== 'batch')) return undefined;
  return newEval({
    namespace: record.job.Namespace,
    jobId: record.job.ID,
    type: record.job.Type,
    priority: record.job.Priority,
    triggeredBy: 'alloc-failure',
    jobModifyIndex: record.job.JobModifyIndex,
    index: transaction.index,
    now: transaction.nanos / 1_000_000,
  });
}

type Op = { kind: 'alloc' } | { kind: 'node' } | { kind: 'job'; registration: string } | { kind: 'deployment' } | { kind: 'eval' };

interface JobChange {
  namespace: string;
  jobId: string;
  createIndex: number;
  delta: JobDelta & { summary: NonNullable<JobDelta['summary']> };
}

/** The writes of one transaction, gathered per allocation, job registration and deployment. */
class ClientTransaction {
  readonly index = nextIndex();
  readonly nanos = Date.now() * 1_000_000;
  readonly pending: Pending[] = [];
  private readonly allocs: TransactItem[] = [];
  private release: AllocClaim = { CpuShares: 0, MemoryMB: 0, DiskMB: 0 };
  private released = false;
  private readonly jobs = new Map<string, JobChange>();
  private readonly deployments = new Map<string, { deployment: Deployment; groups: Record<string, GroupCounters> }>();
  private readonly evals: Evaluation[] = [];
  private readonly health: HealthChanges = new Map();

  constructor(private readonly nodeId: string) {}

  size(): number {
    return this.allocs.length + 1 + this.jobs.size + this.deployments.size + this.evals.length;
  }

  /**
   * `counted`: the job item still counts the allocation's registration; `evaluation`: the failure
   * evaluation this update brings; `deployment`: the allocation's deployment, if its health moves.
   */
  add(entry: Pending, { counted, evaluation, deployment }: { counted: boolean; evaluation?: Evaluation; deployment?: Deployment }): void {
    const { before, update } = entry;
    this.pending.push(entry);
    const live = before.live && !isClientTerminal(update.ClientStatus);
    const released = before.live && !live;
    this.allocs.push(clientUpdateItem(before, update, live, this.index, this.nanos));
    if (released) {
      this.release = addClaim(this.release, before.claim);
      this.released = true;
    }
    const summary = summaryTransition(before.alloc.ClientStatus, update.ClientStatus);
    if (counted && (released || Object.keys(summary).length > 0 || evaluation)) {
      const job = this.jobChange(before);
      if (released) job.delta.liveAllocs = (job.delta.liveAllocs ?? 0) - 1;
      addSummaryDeltas(job.delta.summary, before.alloc.TaskGroup, summary);
      if (evaluation) Object.assign(job.delta, { openEvals: (job.delta.openEvals ?? 0) + 1, hadEval: true });
    }
    if (evaluation) this.evals.push(evaluation);
    const health = healthChange(entry);
    if (!health) return;
    const { Namespace, JobID, DeploymentID } = before.alloc;
    const changed = this.health.get(DeploymentID) ?? { deployment: { Namespace, JobID, ID: DeploymentID }, allocs: new Set<string>() };
    this.health.set(DeploymentID, changed);
    changed.allocs.add(before.alloc.ID);
    if (deployment) this.countHealth(deployment, entry, health);
  }

  private jobChange(before: StoredAlloc): JobChange {
    const registration = registrationOf(before);
    let job = this.jobs.get(registration);
    if (!job) {
      job = { namespace: before.alloc.Namespace, jobId: before.alloc.JobID, createIndex: before.jobCreateIndex, delta: { summary: {} } };
      this.jobs.set(registration, job);
    }
    return job;
  }

  /** Health counters, and a progress deadline moved by a healthy report to its time plus the group's ProgressDeadline. */
  private countHealth(deployment: Deployment, { before, update }: Pending, health: { healthy: number; unhealthy: number }): void {
    const entry = this.deployments.get(deployment.ID) ?? { deployment, groups: {} };
    this.deployments.set(deployment.ID, entry);
    const counters = (entry.groups[before.alloc.TaskGroup] ??= {});
    counters.healthy = (counters.healthy ?? 0) + health.healthy;
    counters.unhealthy = (counters.unhealthy ?? 0) + health.unhealthy;
    const deadline = deployment.TaskGroups[before.alloc.TaskGroup]?.ProgressDeadline ?? 0;
    if (health.healthy > 0 && deadline > 0) {
      const reported = update.DeploymentStatus?.Timestamp ? Date.parse(update.DeploymentStatus.Timestamp) : NaN;
      const progressBy = (Number.isFinite(reported) ? reported : Date.now()) + deadline / 1_000_000;
      if (!counters.progressBy || progressBy > Date.parse(counters.progressBy)) counters.progressBy = new Date(progressBy).toISOString();
    }
  }

  build(): { items: TransactItem[]; ops: Op[] } {
    const items: TransactItem[] = [...this.allocs];
    const ops: Op[] = this.allocs.map(() => ({ kind: 'alloc' }));
    if (this.released) {
      items.push(nodeUsageChange(this.nodeId, addClaim({ CpuShares: 0, MemoryMB: 0, DiskMB: 0 }, this.release, -1)));
      ops.push({ kind: 'node' });
    }
    for (const [registration, job] of this.jobs) {
      items.push(jobDeltaUpdate(job.namespace, job.jobId, job.createIndex, job.delta, this.index));
      ops.push({ kind: 'job', registration });
    }
    for (const { deployment, groups } of this.deployments.values()) {
      items.push(changeDeployment(deployment, { groups }, this.index));
      ops.push({ kind: 'deployment' });
    }
    for (const evaluation of this.evals) {
      items.push(putNewEval(evaluation));
      ops.push({ kind: 'eval' });
    }
    return { items, ops };
  }

  recordInto(applied: Applied): void {
    applied.index = Math.max(applied.index, this.index);
    applied.evals.push(...this.evals);
    applied.released ||= this.released;
    for (const [deploymentId, { deployment, allocs }] of this.health) {
      const all = applied.health.get(deploymentId) ?? { deployment, allocs: new Set<string>() };
      for (const id of allocs) all.allocs.add(id);
      applied.health.set(deploymentId, all);
    }
  }
}
