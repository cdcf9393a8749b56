import { config } from '../../config';
import { nextIndex } from '../../storage/index-clock';
import { MAX_TRANSACT_ITEMS, transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { addSummaryDeltas, summaryTransition, type SummaryDelta } from '../status/summary';
import { allocItem, type AllocClaim, type StoredAlloc } from '../store/allocs';
import { jobDeltaUpdate } from '../store/job-counters';
import { allocSk, jobPk, nodeKey } from '../store/keys';
import type { StoredNode } from '../store/nodes';
import { nodeCapacity } from '../structs/node';
import type { Job } from '../structs/job';
import { addClaim } from '../scheduler/rank';
import type { Plan, PlannedInPlaceUpdate, PlannedStop } from '../scheduler/types';
import { leaseCheck, type Lease } from './job-lease';

/**
 * The plan applier: commits a plan with DynamoDB transactions, Nomad's optimistic concurrency.
 *
 * The work is grouped per node. Each node that gains allocations gets one conditional update of
 * its claimed capacity (`Used <= capacity − what this plan adds`, and still ready and eligible),
 * in the same transaction as the allocations placed on it, so a node can never be overcommitted
 * however many workers race. Stops give capacity back and are conditioned on the allocation still
 * being Live, so it is released once. The job's counters move in the same transaction, and the
 * worker's lease is checked there too.
 *
 * A node whose condition fails is rejected (Nomad's partial commit): the rest commits and the
 * worker re-plans what was rejected from fresh state.
 */
export interface ApplyContext {
  job?: Job;
  nodes: Map<string, StoredNode>;
  lease: Lease;
  /** Unix ms. */
  now: number;
}

export interface ApplyResult {
  placed: StoredAlloc[];
  stopped: PlannedStop[];
  /** Nodes that refused their placements, or stops that lost a race: re-plan needed. */
  rejectedNodes: Set<string>;
  conflicts: number;
}

export class LeaseLost extends Error {}
export class JobChanged extends Error {}

interface NodeUnit {
  nodeId: string;
  placements: StoredAlloc[];
  stops: PlannedStop[];
  inPlace: PlannedInPlaceUpdate[];
}

/** Room for the job update and the lease check in every transaction. */
const ITEMS_PER_TRANSACTION = MAX_TRANSACT_ITEMS - 2;

function unitsOf(plan: Plan): NodeUnit[] {
  const byNode = new Map<string, NodeUnit>();
  const unit = (nodeId: string) => {
    let found = byNode.get(nodeId);
    if (!found) byNode.set(nodeId, (found = { nodeId, placements: [], stops: [], inPlace: [] }));
    return found;
  };
  for (const stored of plan.placements) unit(stored.alloc.NodeID).placements.push(stored);
  for (const stop of plan.stops) unit(stop.nodeId).stops.push(stop);
  for (const update of plan.inPlaceUpdates) unit(update.nodeId).inPlace.push(update);
  // A node's work larger than one transaction is split; each part claims capacity on its own.
  const units: NodeUnit[] = [];
  for (const whole of byNode.values()) {
    const ops = [...whole.stops.map((s) => ({ stop: s })), ...whole.inPlace.map((u) => ({ inPlace: u })), ...whole.placements.map((p) => ({ place: p }))];
    for (let start = 0; start < ops.length; start += ITEMS_PER_TRANSACTION - 1) {
      const part: NodeUnit = { nodeId: whole.nodeId, placements: [], stops: [], inPlace: [] };
      for (const op of ops.slice(start, start + ITEMS_PER_TRANSACTION - 1)) {
        if ('stop' in op) part.stops.push(op.stop);
        else if ('inPlace' in op) part.inPlace.push(op.inPlace);
        else part.placements.push(op.place);
      }
      units.push(part);
    }
  }
  return units;
}

function netClaim(unit: NodeUnit): AllocClaim {
  let net: AllocClaim = { CpuShares: 0, MemoryMB: 0, DiskMB: 0 };
  for (const stored of unit.placements) net = addClaim(net, stored.claim);
  for (const stop of unit.stops) if (stop.wasLive) net = addClaim(net, stop.claim, -1);
  return net;
}

function nodeItem(unit: NodeUnit, context: ApplyContext): TransactItem | undefined {
  const net = netClaim(unit);
  if (unit.placements.length === 0 && net.CpuShares === 0 && net.MemoryMB === 0 && net.DiskMB === 0) return undefined;
  const names = { '#cpu': 'UsedCpu', '#mem': 'UsedMemoryMB', '#disk': 'UsedDiskMB' };
  const values: Record<string, unknown> = { ':cpu': net.CpuShares, ':mem': net.MemoryMB, ':disk': net.DiskMB };
  let condition = 'attribute_exists(PK)';
  const node = context.nodes.get(unit.nodeId);
  if (unit.placements.length > 0 && node) {
    const capacity = nodeCapacity(node.node);
    Object.assign(names, { '#status': 'Status', '#eligibility': 'SchedulingEligibility' });
    Object.assign(values, {
      ':ready': 'ready',
      ':eligible': 'eligible',
      ':cpuLimit': capacity.CpuShares - net.CpuShares,
      ':memLimit': capacity.MemoryMB - net.MemoryMB,
      ':diskLimit': capacity.DiskMB - net.DiskMB,
    });
    condition +=
      ' AND #status = :ready AND #eligibility = :eligible AND #cpu <= :cpuLimit AND #mem <= :memLimit AND #disk <= :diskLimit';
  }
  return {
    Update: {
      TableName: config().tableName,
      Key: nodeKey(unit.nodeId),
      UpdateExpression: 'ADD #cpu :cpu, #mem :mem, #disk :disk',
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

function stopItem(stop: PlannedStop, index: number, nowNanos: number, context: ApplyContext): TransactItem {
  const names: Record<string, string> = {
    '#desired': 'DesiredStatus',
    '#description': 'DesiredDescription',
    '#live': 'Live',
    '#modify': 'ModifyIndex',
    '#allocModify': 'AllocModifyIndex',
    '#time': 'ModifyTime',
  };
  const values: Record<string, unknown> = {
    ':stop': 'stop',
    ':description': stop.desiredDescription,
    ':false': false,
    ':true': true,
    ':index': index,
    ':time': nowNanos,
  };
  const sets = ['#desired = :stop', '#description = :description', '#live = :false', '#modify = :index', '#allocModify = :index', '#time = :time'];
  if (stop.clientStatus) {
    names['#client'] = 'ClientStatus';
    values[':client'] = stop.clientStatus;
    sets.push('#client = :client');
  }
  return {
    Update: {
      TableName: config().tableName,
      Key: allocKey(stop.allocId, context),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: '#live = :true',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** Every allocation in a plan belongs to the job the lease is for. */
function allocKey(allocId: string, context: ApplyContext) {
  return { PK: jobPk(context.lease.namespace, context.lease.jobId), SK: allocSk(allocId) };
}

function inPlaceItem(update: PlannedInPlaceUpdate, index: number, nowNanos: number, context: ApplyContext): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: allocKey(update.allocId, context),
      UpdateExpression: 'SET #version = :version, #jmi = :jmi, #modify = :index, #allocModify = :index, #time = :time',
      ConditionExpression: '#live = :true',
      ExpressionAttributeNames: {
        '#version': 'JobVersion',
        '#jmi': 'JobModifyIndex',
        '#modify': 'ModifyIndex',
        '#allocModify': 'AllocModifyIndex',
        '#time': 'ModifyTime',
        '#live': 'Live',
      },
      ExpressionAttributeValues: {
        ':version': update.jobVersion,
        ':jmi': update.jobModifyIndex,
        ':index': index,
        ':time': nowNanos,
        ':true': true,
      },
    },
  };
}

type Op = { unit: NodeUnit; kind: 'node' } | { unit: NodeUnit; kind: 'place'; stored: StoredAlloc } | { unit: NodeUnit; kind: 'stop'; stop: PlannedStop } | { unit: NodeUnit; kind: 'inPlace'; update: PlannedInPlaceUpdate } | { kind: 'job' } | { kind: 'lease' };

function buildTransaction(units: NodeUnit[], context: ApplyContext, index: number): { items: TransactItem[]; ops: Op[] } {
  const items: TransactItem[] = [];
  const ops: Op[] = [];
  const nowNanos = context.now * 1_000_000;
  let liveAllocs = 0;
  const summary: Record<string, SummaryDelta> = {};
  for (const unit of units) {
    const node = nodeItem(unit, context);
    if (node) {
      items.push(node);
      ops.push({ unit, kind: 'node' });
    }
    for (const stored of unit.placements) {
      stored.alloc.CreateIndex = stored.alloc.ModifyIndex = stored.alloc.AllocModifyIndex = index;
      items.push({ Put: { TableName: config().tableName, Item: allocItem(stored), ConditionExpression: 'attribute_not_exists(PK)' } });
      ops.push({ unit, kind: 'place', stored });
      liveAllocs++;
      addSummaryDeltas(summary, stored.alloc.TaskGroup, summaryTransition(undefined, 'pending'));
    }
    for (const stop of unit.stops) {
      items.push(stopItem(stop, index, nowNanos, context));
      ops.push({ unit, kind: 'stop', stop });
      if (stop.wasLive) liveAllocs--;
      if (stop.clientStatus) addSummaryDeltas(summary, stop.taskGroup, summaryTransition(stop.previousClientStatus, stop.clientStatus));
    }
    for (const update of unit.inPlace) {
      items.push(inPlaceItem(update, index, nowNanos, context));
      ops.push({ unit, kind: 'inPlace', update });
    }
  }
  if (context.job && (liveAllocs !== 0 || Object.keys(summary).length > 0)) {
    items.push(jobDeltaUpdate(context.job.Namespace, context.job.ID, context.job.CreateIndex, { liveAllocs, summary }, index));
    ops.push({ kind: 'job' });
  }
  items.push(leaseCheck(context.lease));
  ops.push({ kind: 'lease' });
  return { items, ops };
}

function packTransactions(units: NodeUnit[]): NodeUnit[][] {
  const batches: NodeUnit[][] = [];
  let current: NodeUnit[] = [];
  let size = 0;
  for (const unit of units) {
    const unitSize = 1 + unit.placements.length + unit.stops.length + unit.inPlace.length;
    if (size + unitSize > ITEMS_PER_TRANSACTION && current.length > 0) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(unit);
    size += unitSize;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Drops from the units what a cancelled transaction says conflicted; returns what is left to commit. */
function dropConflicts(units: NodeUnit[], ops: Op[], failed: number[], result: ApplyResult): NodeUnit[] {
  for (const position of failed) {
    const op = ops[position];
    if (op.kind === 'lease') throw new LeaseLost('the job lease was lost');
    if (op.kind === 'job') throw new JobChanged('the job changed while it was being scheduled');
    result.conflicts++;
    result.rejectedNodes.add(op.unit.nodeId);
    if (op.kind === 'node') {
      // The node refused: keep only this unit's stops, which need no capacity.
      op.unit.placements = [];
    } else if (op.kind === 'place') {
      op.unit.placements = op.unit.placements.filter((stored) => stored !== op.stored);
    } else if (op.kind === 'stop') {
      op.unit.stops = op.unit.stops.filter((stop) => stop !== op.stop);
    } else {
      op.unit.inPlace = op.unit.inPlace.filter((update) => update !== op.update);
    }
  }
  return units.filter((unit) => unit.placements.length + unit.stops.length + unit.inPlace.length > 0);
}

export async function applyPlan(plan: Plan, context: ApplyContext): Promise<ApplyResult> {
  const result: ApplyResult = { placed: [], stopped: [], rejectedNodes: new Set(), conflicts: 0 };
  for (let units of packTransactions(unitsOf(plan))) {
    for (let attempt = 0; units.length > 0; attempt++) {
      const { items, ops } = buildTransaction(units, context, nextIndex());
      try {
        await transact(items);
        for (const unit of units) {
          result.placed.push(...unit.placements);
          result.stopped.push(...unit.stops);
        }
        break;
      } catch (error) {
        if (!(error instanceof TransactionConflict)) throw error;
        if (error.transient) {
          if (attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
          continue;
        }
        units = dropConflicts(units, ops, error.failedConditions, result);
      }
    }
  }
  return result;
}
