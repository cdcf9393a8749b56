import { nextIndex } from '../../storage/index-clock';
import { MAX_TRANSACT_ITEMS, transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { addSummaryDeltas, summaryTransition, type SummaryDelta } from '../status/summary';
import { allocKey, type AllocClaim, type StoredAlloc } from '../store/allocs';
import { changeDeployment, putDeployment, type DeploymentChange, type GroupCounters } from '../store/deployments';
import { putNewEval } from '../store/evals';
import { jobDeltaUpdate, type JobDelta } from '../store/job-counters';
import { putJobVersion } from '../store/jobs';
import { followupStampItem, inPlaceAllocItem, putNewAllocItem, stopAllocItem } from '../store/plan-alloc-items';
import { nodeUsageChange, type StoredNode } from '../store/nodes';
import { isActiveDeployment, type Deployment } from '../structs/deployment';
import type { Evaluation } from '../structs/evaluation';
import type { Job } from '../structs/job';
import { nodeCapacity } from '../structs/node';
import { MAX_INDEXED_DATACENTERS } from '../scheduler/blocked-wake';
import { addClaim, negateClaim } from '../scheduler/rank';
import type { Plan, PlannedAllocUpdate, PlannedInPlaceUpdate, PlannedStop } from '../scheduler/types';
import { maybeFail } from './faults';
import type { FinishPlan } from './finish-eval';
import { leaseCheck, leaseRelease, type Lease } from '../store/job-lease';

/**
 * The plan applier: commits a plan with DynamoDB transactions, Nomad's optimistic concurrency.
 *
 * The plan is cut into changes that must commit whole (a placement together with the stop of
 * the allocation it replaces, a stop, an in-place update, a follow-up stamp) and packed into
 * transactions, grouped by node. Each node a transaction touches gets one conditional update of
 * its claimed capacity: `Used <= capacity − what this transaction adds` (and still ready,
 * eligible and not draining when it gains allocations), so no node is ever overcommitted however
 * many workers race. Stops give capacity back and are conditioned on the allocation still being
 * Live, so it is released once. The job's counters, the deployment's counters, new evaluations
 * and the worker's lease check ride in the same transactions.
 *
 * A change whose condition fails is rejected (Nomad's partial commit): the rest commits, and
 * the worker re-plans from fresh state what was rejected.
 */
export interface ApplyContext {
  job?: Job;
  nodes: Map<string, StoredNode>;
  lease: Lease;
  /** The job's current deployment as the plan saw it (for its groups' progress deadlines). */
  deployment?: Deployment;
  /** Unix ms. */
  now: number;
  /** Called before the plan's transactions with the net capacity each will move per node; what it returns is called if that transaction does not commit. */
  onCommitting?: (usage: Map<string, AllocClaim>) => () => void;
  /** The evaluation's outcome, committed with the plan's last transaction if nothing was rejected. */
  finish?: FinishPlan;
}

export interface ApplyResult {
  placed: StoredAlloc[];
  stopped: PlannedStop[];
  /** Nodes that refused their placements, or changes that lost a race: re-plan needed. */
  rejectedNodes: Set<string>;
  conflicts: number;
  /** The evaluation's outcome was committed with the plan (and the lease released with it). */
  finished: boolean;
  /** The index of the last committed transaction (the job's ModifyIndex after it), 0 if none. */
  lastIndex: number;
  /** Per deployment this plan created or changed, the index of the last transaction that wrote it (its ModifyIndex after it). */
  deploymentIndexes: Map<string, number>;
}

class LeaseLost extends Error {}
export class JobChanged extends Error {}
/** Another run recorded the evaluation's outcome first. */
export class EvalFinishedElsewhere extends Error {}

type Change =
  | { kind: 'place'; nodeId: string; stored: StoredAlloc; replaces?: PlannedStop }
  | { kind: 'stop'; nodeId: string; stop: PlannedStop }
  | { kind: 'inPlace'; nodeId: string; update: PlannedInPlaceUpdate }
  | { kind: 'stamp'; nodeId: string; update: PlannedAllocUpdate };

/** What a transaction writes once, besides its changes. */
interface Extras {
  deployment?: Deployment;
  deploymentUpdates: Plan['deploymentUpdates'];
  followupEvals: Evaluation[];
}

type Op =
  | { kind: 'change'; change: Change }
  | { kind: 'node'; nodeId: string }
  | { kind: 'job' }
  | { kind: 'lease' }
  | { kind: 'createDeployment' }
  | { kind: 'deployment'; id: string; statusUpdate: boolean }
  | { kind: 'eval' }
  | { kind: 'version' }
  | { kind: 'finish'; first: boolean };

function changesOf(plan: Plan): Change[] {
  const replacing = new Map<string, PlannedStop>();
  const changes: Change[] = [];
  for (const stop of plan.stops) {
    if (stop.replacedBy) replacing.set(stop.replacedBy, stop);
    else changes.push({ kind: 'stop', nodeId: stop.nodeId, stop });
  }
  for (const stored of plan.placements) changes.push({ kind: 'place', nodeId: stored.alloc.NodeID, stored, replaces: replacing.get(stored.alloc.ID) });
  for (const update of plan.inPlaceUpdates) changes.push({ kind: 'inPlace', nodeId: update.nodeId, update });
  for (const update of plan.allocUpdates) changes.push({ kind: 'stamp', nodeId: '', update });
  return changes.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}

/** Capacity a change moves, per node (placements add, live stops give back). */
function nodeEffects(change: Change): [string, AllocClaim, boolean][] {
  const effects: [string, AllocClaim, boolean][] = [];
  if (change.kind === 'place') {
    effects.push([change.stored.alloc.NodeID, change.stored.claim, true]);
    if (change.replaces?.wasLive) effects.push([change.replaces.nodeId, negateClaim(change.replaces.claim), false]);
  } else if (change.kind === 'stop' && change.stop.wasLive) effects.push([change.stop.nodeId, negateClaim(change.stop.claim), false]);
  return effects;
}

function jobAllocKey(allocId: string, context: ApplyContext) {
  return allocKey({ Namespace: context.lease.namespace, JobID: context.lease.jobId, ID: allocId });
}

interface NodeDelta {
  net: AllocClaim;
  gains: boolean;
}

/** Per node the changes touch: the net capacity they move, and whether any places on it. */
function nodeDeltas(changes: Change[]): Map<string, NodeDelta> {
  const nodes = new Map<string, NodeDelta>();
  for (const change of changes) {
    for (const [nodeId, claim, gains] of nodeEffects(change)) {
      const entry = nodes.get(nodeId) ?? { net: { CpuShares: 0, MemoryMB: 0, DiskMB: 0 }, gains: false };
      entry.net = addClaim(entry.net, claim);
      entry.gains ||= gains;
      nodes.set(nodeId, entry);
    }
  }
  return nodes;
}

function nodeItem(nodeId: string, delta: NodeDelta, context: ApplyContext): TransactItem | undefined {
  const { net } = delta;
  if (!delta.gains && net.CpuShares === 0 && net.MemoryMB === 0 && net.DiskMB === 0) return undefined;
  const node = context.nodes.get(nodeId);
  if (!delta.gains || !node) return nodeUsageChange(nodeId, net);
  return nodeUsageChange(nodeId, net, { limit: addClaim(nodeCapacity(node.node), net, -1) });
}

/** Deployment counters moved by the placements and in-place joins of one transaction. */
function deploymentCounters(changes: Change[], context: ApplyContext): Map<string, Record<string, GroupCounters>> {
  const byDeployment = new Map<string, Record<string, GroupCounters>>();
  const counters = (deploymentId: string, group: string) => {
    let groups = byDeployment.get(deploymentId);
    if (!groups) byDeployment.set(deploymentId, (groups = {}));
    return (groups[group] ??= {});
  };
  const started = new Date(context.now).toISOString();
  for (const change of changes) {
    if (change.kind === 'place' && change.stored.alloc.DeploymentID) {
      const entry = counters(change.stored.alloc.DeploymentID, change.stored.alloc.TaskGroup);
      entry.placed = (entry.placed ?? 0) + 1;
      entry.startProgressBy = started;
      if (change.stored.alloc.DeploymentStatus?.Canary) (entry.canaries ??= []).push(change.stored.alloc.ID);
    } else if (change.kind === 'inPlace' && change.update.joinsDeployment) {
      const entry = counters(change.update.deploymentId, change.update.taskGroup);
      entry.placed = (entry.placed ?? 0) + 1;
      entry.startProgressBy = started;
    }
  }
  return byDeployment;
}

/** The progress deadline a group's first placement starts (RFC 3339), or undefined without one. */
function withDeadlines(counters: Record<string, GroupCounters>, deployment: Pick<Deployment, 'TaskGroups'> | undefined, now: number) {
  for (const [group, entry] of Object.entries(counters)) {
    const deadline = deployment?.TaskGroups[group]?.ProgressDeadline ?? 0;
    if (!entry.startProgressBy) continue;
    if (deadline > 0) entry.startProgressBy = new Date(now + deadline / 1_000_000).toISOString();
    else delete entry.startProgressBy;
  }
  return counters;
}

function buildTransaction(changes: Change[], nodes: Map<string, NodeDelta>, extras: Extras, context: ApplyContext, index: number, finish?: FinishPlan) {
  const items: TransactItem[] = [];
  const ops: Op[] = [];
  const nowNanos = context.now * 1_000_000;
  const delta: JobDelta = {};
  let liveAllocs = 0;
  const summary: Record<string, SummaryDelta> = {};
  for (const change of changes) {
    if (change.kind === 'place') {
      const { stored } = change;
      stored.alloc.CreateIndex = stored.alloc.ModifyIndex = stored.alloc.AllocModifyIndex = index;
      items.push(putNewAllocItem(stored));
      ops.push({ kind: 'change', change });
      liveAllocs++;
      addSummaryDeltas(summary, stored.alloc.TaskGroup, summaryTransition(undefined, 'pending'));
      if (change.replaces) {
        items.push(stopAllocItem(jobAllocKey(change.replaces.allocId, context), change.replaces, index, nowNanos));
        ops.push({ kind: 'change', change });
      }
    } else if (change.kind === 'stop') {
      items.push(stopAllocItem(jobAllocKey(change.stop.allocId, context), change.stop, index, nowNanos));
      ops.push({ kind: 'change', change });
    } else if (change.kind === 'inPlace') {
      items.push(inPlaceAllocItem(jobAllocKey(change.update.allocId, context), change.update, index, nowNanos));
      ops.push({ kind: 'change', change });
    } else {
      items.push(followupStampItem(jobAllocKey(change.update.allocId, context), change.update, index));
      ops.push({ kind: 'change', change });
    }
    const stop = change.kind === 'stop' ? change.stop : change.kind === 'place' ? change.replaces : undefined;
    if (stop?.wasLive) liveAllocs--;
    if (stop?.clientStatus) addSummaryDeltas(summary, stop.taskGroup, summaryTransition(stop.previousClientStatus, stop.clientStatus));
  }
  for (const [nodeId, entry] of nodes) {
    const item = nodeItem(nodeId, entry, context);
    if (!item) continue;
    items.push(item);
    ops.push({ kind: 'node', nodeId });
  }

  // Deployments: a new one, status changes, and the counters this transaction's placements move.
  const counters = deploymentCounters(changes, context);
  const created = extras.deployment;
  if (created) {
    created.CreateIndex = created.ModifyIndex = index;
    const own = withDeadlines(counters.get(created.ID) ?? {}, created, context.now);
    counters.delete(created.ID);
    for (const [group, entry] of Object.entries(own)) {
      const state = created.TaskGroups[group];
      if (!state) continue;
      state.PlacedAllocs += entry.placed ?? 0;
      if (entry.canaries?.length) state.PlacedCanaries = [...(state.PlacedCanaries ?? []), ...entry.canaries];
      if (entry.startProgressBy) state.RequireProgressBy = entry.startProgressBy;
    }
    items.push(putDeployment(created));
    ops.push({ kind: 'createDeployment' });
    delta.activeDeployments = 1;
  }
  const statusUpdates = new Map(extras.deploymentUpdates.map((update) => [update.deploymentId, update]));
  for (const id of new Set([...statusUpdates.keys(), ...counters.keys()])) {
    const update = statusUpdates.get(id);
    const known = id === context.deployment?.ID ? context.deployment : undefined;
    const change: DeploymentChange = { groups: withDeadlines(counters.get(id) ?? {}, known, context.now) };
    if (update) {
      change.status = update.status;
      change.description = update.description;
      if (!isActiveDeployment(update.status)) {
        delta.activeDeployments = (delta.activeDeployments ?? 0) - 1;
      }
      if (update.status === 'successful' && context.job) {
        delta.stable = true;
        delta.expectJobModifyIndex = context.job.JobModifyIndex;
        items.push(putJobVersion({ ...context.job, Stable: true }));
        ops.push({ kind: 'version' });
      }
    }
    items.push(changeDeployment({ Namespace: context.lease.namespace, JobID: context.lease.jobId, ID: id }, change, index));
    ops.push({ kind: 'deployment', id, statusUpdate: !!update });
  }

  for (const evaluation of extras.followupEvals) {
    items.push(putNewEval({ ...evaluation, CreateIndex: index, ModifyIndex: index, CreateTime: nowNanos, ModifyTime: nowNanos }));
    ops.push({ kind: 'eval' });
    delta.openEvals = (delta.openEvals ?? 0) + 1;
  }

  if (finish && context.job) {
    const done = finish.build(index, nowNanos);
    done.items.forEach((item, i) => {
      items.push(item);
      ops.push({ kind: 'finish', first: i === 0 });
    });
    delta.openEvals = (delta.openEvals ?? 0) + (done.delta.openEvals ?? 0);
    delta.queued = done.delta.queued;
    if (done.delta.blockedEvalId !== undefined) delta.blockedEvalId = done.delta.blockedEvalId;
  }
  if (context.job) {
    delta.liveAllocs = liveAllocs;
    delta.summary = summary;
    if (context.job.Type === 'system') delta.systemJob = { namespace: context.job.Namespace, listed: !context.job.Stop };
    items.push(jobDeltaUpdate(context.job.Namespace, context.job.ID, context.job.CreateIndex, delta, index));
    ops.push({ kind: 'job' });
  }
  // The transaction that finishes the evaluation also gives the lease back.
  items.push(finish && context.job ? leaseRelease(context.lease) : leaseCheck(context.lease));
  ops.push({ kind: 'lease' });
  return { items, ops };
}

/** The net capacity per node of a batch's node deltas. */
function netUsage(nodes: Map<string, NodeDelta>): Map<string, AllocClaim> {
  return new Map([...nodes].map(([nodeId, delta]) => [nodeId, delta.net]));
}

/** Items a change needs, not counting node items. */
function changeSize(change: Change): number {
  return change.kind === 'place' && change.replaces ? 2 : 1;
}

/** Items every transaction carries besides its changes: the job's counters, the lease check, and the counters of up to two deployments its placements move. */
const PER_TRANSACTION = 4;
/** Items the evaluation's outcome adds to the last transaction: the evaluation, a new blocked or follow-up one, the older blocked one cancelled, and its blocked-index entries. */
const FINISH_ITEMS = 3 + MAX_INDEXED_DATACENTERS;

/** Items a batch of changes writes: the changes and one usage update per node they touch. */
function itemsOf(changes: Change[]): number {
  const nodes = new Set(changes.flatMap((change) => nodeEffects(change).map(([nodeId]) => nodeId)));
  return changes.reduce((size, change) => size + changeSize(change), 0) + nodes.size;
}

/**
 * Packs the changes into as few transactions as the item limit allows: each is filled up to what
 * it carries besides, the first also the plan's deployment and follow-up writes, and only the last
 * the evaluation's outcome, so a plan that fits in n full transactions is committed in n.
 */
function packTransactions(changes: Change[], extras: Extras): Change[][] {
  const firstExtras = (extras.deployment ? 1 : 0) + extras.deploymentUpdates.length * 2 + extras.followupEvals.length;
  const reserve = (batch: number) => PER_TRANSACTION + (batch === 0 ? firstExtras : 0);
  const batches: Change[][] = [];
  let current: Change[] = [];
  let nodes = new Set<string>();
  let size = 0;
  for (const change of changes) {
    const touched = new Set(nodeEffects(change).map(([nodeId]) => nodeId));
    const added = () => [...touched].filter((nodeId) => !nodes.has(nodeId)).length;
    if (current.length > 0 && size + changeSize(change) + added() + reserve(batches.length) > MAX_TRANSACT_ITEMS) {
      batches.push(current);
      current = [];
      nodes = new Set();
      size = 0;
    }
    current.push(change);
    size += changeSize(change) + added();
    for (const nodeId of touched) nodes.add(nodeId);
  }
  batches.push(current);
  // The outcome rides in the last transaction: what does not fit beside it moves to one more.
  const last = batches.length - 1;
  const spill: Change[] = [];
  while (batches[last].length > 0 && itemsOf(batches[last]) + reserve(last) + FINISH_ITEMS > MAX_TRANSACT_ITEMS) spill.unshift(batches[last].pop()!);
  if (spill.length > 0) batches.push(spill);
  return batches;
}

export async function applyPlan(plan: Plan, context: ApplyContext): Promise<ApplyResult> {
  const result: ApplyResult = { placed: [], stopped: [], rejectedNodes: new Set(), conflicts: 0, finished: false, lastIndex: 0, deploymentIndexes: new Map() };
  let extras: Extras = { deployment: plan.deployment ? structuredClone(plan.deployment) : undefined, deploymentUpdates: plan.deploymentUpdates, followupEvals: plan.followupEvals };
  const hasWork = (changes: Change[]) => changes.length > 0 || !!extras.deployment || extras.deploymentUpdates.length > 0 || extras.followupEvals.length > 0;
  const batches = packTransactions(changesOf(plan), extras);
  // The whole plan's capacity is claimed before its first transaction, so that evaluations planning
  // meanwhile see all of it and not only the transaction under way; what does not commit is given back.
  const deltas = batches.map(nodeDeltas);
  const releases = deltas.map((nodes) => context.onCommitting?.(netUsage(nodes)));
  try {
    return await commitBatches();
  } finally {
    for (const release of releases) release?.();
  }

  async function commitBatches(): Promise<ApplyResult> {
    for (let b = 0; b < batches.length; b++) {
      let changes = batches[b];
      for (let attempt = 0; hasWork(changes); attempt++) {
        const finish = b === batches.length - 1 && result.rejectedNodes.size === 0 && context.job ? context.finish : undefined;
        const index = nextIndex();
        const { items, ops } = buildTransaction(changes, deltas[b], extras, context, index, finish);
        try {
          await transact(items);
          releases[b] = undefined;
          result.lastIndex = index;
          result.finished = !!finish;
          for (const op of ops) {
            if (op.kind === 'createDeployment' && extras.deployment) result.deploymentIndexes.set(extras.deployment.ID, index);
            else if (op.kind === 'deployment') result.deploymentIndexes.set(op.id, index);
          }
          for (const change of changes) {
            if (change.kind === 'place') {
              result.placed.push(change.stored);
              if (change.replaces) result.stopped.push(change.replaces);
            } else if (change.kind === 'stop') result.stopped.push(change.stop);
          }
          maybeFail('mid-plan');
          break;
        } catch (error) {
          if (!(error instanceof TransactionConflict)) throw error;
          if (error.transient) {
            if (attempt >= 8) throw error;
            await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** Math.min(attempt, 5) * (1 + Math.random())));
            continue;
          }
          const dropped = new Set<Change>();
          for (const position of error.failedConditions) {
            const op = ops[position];
            if (op.kind === 'lease') throw new LeaseLost('the job lease was lost');
            if (op.kind === 'job') throw new JobChanged('the job changed while it was being scheduled');
            if (op.kind === 'finish') {
              if (op.first) throw new EvalFinishedElsewhere('the evaluation was finished by another run');
              // A blocked evaluation it meant to cancel moved on: finish separately after re-planning.
              result.rejectedNodes.add('');
              continue;
            }
            result.conflicts++;
            if (op.kind === 'node') {
              result.rejectedNodes.add(op.nodeId);
              for (const change of changes) if (change.kind === 'place' && change.stored.alloc.NodeID === op.nodeId) dropped.add(change);
            } else if (op.kind === 'change') {
              result.rejectedNodes.add(op.change.nodeId);
              dropped.add(op.change);
            } else if (op.kind === 'createDeployment') {
              throw new JobChanged('the deployment was created by another run');
            } else if (op.kind === 'deployment') {
              // The deployment became terminal meanwhile: leave its status alone and re-plan.
              extras = { ...extras, deploymentUpdates: extras.deploymentUpdates.filter((update) => update.deploymentId !== op.id) };
              result.rejectedNodes.add('');
            }
          }
          changes = changes.filter((change) => !dropped.has(change));
          releases[b]?.();
          deltas[b] = nodeDeltas(changes);
          releases[b] = context.onCommitting?.(netUsage(deltas[b]));
        }
      }
      extras = { deploymentUpdates: [], followupEvals: [] };
    }
    return result;
  }
}
