import { isTerminal } from '../structs/allocation';
import type { Evaluation } from '../structs/evaluation';
import type { Job, TaskGroup } from '../structs/job';
import type { StoredAlloc, StoredNode } from '../structs/cluster-state';
import { inDatacenters, inPool, isSchedulable } from './feasible';
import { allocName } from './name-index';
import {
  emptyDesired,
  emptyReconciliation,
  nodeState,
  STOP_LOST,
  STOP_MIGRATING,
  STOP_NODE_TAINTED,
  STOP_UPDATED,
  unneededStop,
  type Placement,
  type Reconciliation,
  type Stop,
} from './reconcile';
import { tasksUpdated } from './tasks-updated';

/**
 * The reconciler for system and sysbatch jobs (Nomad's diffSystemAllocs): one allocation per
 * group on every ready, eligible node of the job's pool and datacenters. Allocations on down
 * nodes are lost; on nodes no longer targeted they stop; on draining or ineligible nodes they
 * are left alone; finished sysbatch allocations are not run again unless the job changed.
 * Destructive updates roll over at most `Update.MaxParallel` nodes per evaluation, with a
 * `rolling-update` follow-up for the rest. Pure.
 */
export interface SystemInput {
  job: Job;
  allocs: StoredAlloc[];
  /** The cluster's nodes by ID. */
  nodes: Map<string, StoredNode>;
  versions: Record<number, Job>;
  evaluation: Pick<Evaluation, 'ID' | 'Priority'>;
  /** Unix ms. */
  now: number;
  newId: () => string;
}

export function reconcileSystem(input: SystemInput): Reconciliation {
  const { job } = input;
  const result = emptyReconciliation();
  const nodesById = input.nodes;
  const desiredOf = (group: string) => (result.desired[group] ??= emptyDesired());
  const push = (entry: Stop) => {
    result.stop.push(entry);
    desiredOf(entry.stored.alloc.TaskGroup).Stop++;
  };
  const stop = (stored: StoredAlloc, description: string, lost = false) => push({ stored, description, lost });

  const required = new Map<string, TaskGroup>();
  if (!job.Stop) {
    for (const group of job.TaskGroups) {
      desiredOf(group.Name);
      for (let i = 0; i < group.Count; i++) required.set(allocName(job.ID, group.Name, i), group);
    }
  }

  const byNode = new Map<string, StoredAlloc[]>();
  const finishedByNode = new Map<string, StoredAlloc[]>();
  for (const stored of input.allocs) {
    if (stored.jobCreateIndex !== job.CreateIndex) {
      if (stored.live) push(unneededStop(stored, nodesById));
      continue;
    }
    const target = stored.live || (job.Type === 'sysbatch' && stored.alloc.DesiredStatus === 'run') ? byNode : finishedByNode;
    const list = target.get(stored.alloc.NodeID) ?? [];
    list.push(stored);
    target.set(stored.alloc.NodeID, list);
  }

  const updates: { stored: StoredAlloc; group: TaskGroup }[] = [];
  const nodeIds = new Set([...byNode.keys(), ...nodesById.keys()]);
  for (const nodeId of nodeIds) {
    const entry = nodesById.get(nodeId);
    const state = nodeState(nodesById, nodeId);
    const targeted = !!entry && inPool(job, entry.node) && inDatacenters(job, entry.node);
    const ready = targeted && isSchedulable(entry!.node);
    const existing = byNode.get(nodeId) ?? [];
    const seen = new Set<string>();
    for (const stored of existing) {
      const { alloc } = stored;
      seen.add(alloc.Name);
      const group = required.get(alloc.Name);
      if (!group) {
        if (stored.live) push(unneededStop(stored, nodesById));
        continue;
      }
      const desired = desiredOf(group.Name);
      if (!isTerminal(alloc) && alloc.DesiredTransition?.Migrate) {
        stop(stored, STOP_MIGRATING);
        desired.Migrate++;
        continue;
      }
      if (job.Type === 'sysbatch' && isTerminal(alloc)) {
        desired.Ignore++;
        continue;
      }
      if (state === 'lost') {
        if (!isTerminal(alloc)) stop(stored, STOP_LOST, true);
        else desired.Ignore++;
        continue;
      }
      if (state === 'draining' || (targeted && !ready)) {
        desired.Ignore++;
        continue;
      }
      if (!targeted) {
        stop(stored, STOP_NODE_TAINTED);
        continue;
      }
      if (stored.jobModifyIndex !== job.JobModifyIndex) updates.push({ stored, group });
      else desired.Ignore++;
    }
    if (!ready) continue;
    for (const [name, group] of required) {
      if (seen.has(name)) continue;
      const finished = (finishedByNode.get(nodeId) ?? []).find((stored) => stored.alloc.Name === name);
      if (job.Type === 'sysbatch' && finished && finished.jobModifyIndex === job.JobModifyIndex) {
        desiredOf(group.Name).Ignore++;
        continue;
      }
      result.place.push({ group, name, nodeId, reschedule: false, canary: false });
      desiredOf(group.Name).Place++;
    }
  }

  // Updates: in place where nothing that runs changed, otherwise replaced, MaxParallel at a time.
  const destructive: { stored: StoredAlloc; group: TaskGroup }[] = [];
  for (const update of updates) {
    const oldJob = input.versions[update.stored.jobVersion];
    const oldGroup = oldJob?.TaskGroups.find((candidate) => candidate.Name === update.group.Name);
    if (!oldGroup || tasksUpdated(oldGroup, update.group, oldJob.Meta, job.Meta)) destructive.push(update);
    else {
      result.inPlace.push(update.stored);
      desiredOf(update.group.Name).InPlaceUpdate++;
    }
  }
  const limit = job.Update?.MaxParallel > 0 ? job.Update.MaxParallel : destructive.length;
  destructive.sort((a, b) => a.stored.alloc.NodeID.localeCompare(b.stored.alloc.NodeID));
  destructive.forEach(({ stored, group }, i) => {
    const desired = desiredOf(group.Name);
    if (i >= limit) {
      desired.Ignore++;
      return;
    }
    desired.DestructiveUpdate++;
    const placement: Placement = {
      group,
      name: stored.alloc.Name,
      nodeId: stored.alloc.NodeID,
      previous: stored,
      stop: { stored, description: STOP_UPDATED, lost: false },
      reschedule: false,
      canary: false,
    };
    result.place.push(placement);
  });
  if (destructive.length > limit) {
    const waitNs = job.Update?.Stagger ?? 0;
    result.followupEvals.push({
      ID: input.newId(),
      Namespace: job.Namespace,
      Priority: input.evaluation.Priority,
      Type: job.Type,
      TriggeredBy: 'rolling-update',
      JobID: job.ID,
      JobModifyIndex: job.JobModifyIndex,
      Status: 'pending',
      PreviousEval: input.evaluation.ID,
      Wait: waitNs,
      WaitUntil: new Date(input.now + waitNs / 1_000_000).toISOString(),
      CreateIndex: 0,
      ModifyIndex: 0,
      CreateTime: 0,
      ModifyTime: 0,
    });
  }
  return result;
}
