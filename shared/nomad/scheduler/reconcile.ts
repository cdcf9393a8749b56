import { isClientTerminal } from '../structs/allocation';
import type { Job, TaskGroup } from '../structs/job';
import type { StoredAlloc } from '../store/allocs';
import type { StoredNode } from '../store/nodes';
import { tasksUpdated } from './tasks-updated';

/**
 * The reconciler: what must change for each task group, from what is desired (the job) and what
 * exists (its allocations and the nodes they are on). It decides; it does not pick nodes.
 */
export const STOP_NOT_NEEDED = 'alloc not needed due to job update';
export const STOP_LOST = 'alloc is lost since its node is down';
export const STOP_UPDATED = 'alloc is being updated due to job update';

export interface Placement {
  group: TaskGroup;
  name: string;
  /** The allocation this one replaces, if any. */
  previous?: StoredAlloc;
}

export interface Stop {
  stored: StoredAlloc;
  description: string;
  lost: boolean;
}

export interface GroupReconciliation {
  group: TaskGroup;
  place: Placement[];
  stop: Stop[];
  inPlace: StoredAlloc[];
  destructive: number;
  ignore: number;
}

export interface Reconciliation {
  groups: GroupReconciliation[];
  /** Stops outside any current group: a stopped or purged job, removed groups, old registrations. */
  stop: Stop[];
}

export function allocIndex(name: string): number {
  const match = /\[(\d+)\]$/.exec(name);
  return match ? Number(match[1]) : -1;
}

export function allocName(jobId: string, group: string, index: number): string {
  return `${jobId}.${group}[${index}]`;
}

function onLostNode(stored: StoredAlloc, nodes: Map<string, StoredNode>): boolean {
  const node = nodes.get(stored.alloc.NodeID);
  return !node || node.node.Status === 'down';
}

function stopFor(stored: StoredAlloc, nodes: Map<string, StoredNode>, description: string): Stop {
  if (onLostNode(stored, nodes) && !isClientTerminal(stored.alloc.ClientStatus)) {
    return { stored, description: STOP_LOST, lost: true };
  }
  return { stored, description, lost: false };
}

function reconcileGroup(
  job: Job,
  group: TaskGroup,
  allocs: StoredAlloc[],
  nodes: Map<string, StoredNode>,
  versions: Record<number, Job>,
): GroupReconciliation {
  const result: GroupReconciliation = { group, place: [], stop: [], inPlace: [], destructive: 0, ignore: 0 };
  const live = allocs.filter((stored) => stored.live);
  const lost = live.filter((stored) => onLostNode(stored, nodes));
  const untainted = live.filter((stored) => !onLostNode(stored, nodes));
  for (const stored of lost) result.stop.push({ stored, description: STOP_LOST, lost: true });

  // Batch work that finished successfully is done; it keeps its name and is not run again.
  const completed =
    job.Type === 'batch'
      ? allocs.filter((stored) => !stored.live && stored.alloc.ClientStatus === 'complete' && stored.alloc.DesiredStatus === 'run')
      : [];

  // Keep the lowest indexes; stop the highest beyond Count.
  const keep = [...untainted].sort((a, b) => allocIndex(a.alloc.Name) - allocIndex(b.alloc.Name));
  const kept = keep.slice(0, Math.max(0, group.Count - completed.length));
  for (const stored of keep.slice(kept.length)) result.stop.push({ stored, description: STOP_NOT_NEEDED, lost: false });

  for (const stored of kept) {
    if (stored.jobModifyIndex === job.JobModifyIndex) {
      result.ignore++;
      continue;
    }
    const oldJob = versions[stored.jobVersion];
    const oldGroup = oldJob?.TaskGroups.find((candidate) => candidate.Name === group.Name);
    if (!oldGroup || tasksUpdated(oldGroup, group, oldJob.Meta, job.Meta)) {
      result.destructive++;
      result.stop.push({ stored, description: STOP_UPDATED, lost: false });
      result.place.push({ group, name: stored.alloc.Name, previous: stored });
    } else {
      result.inPlace.push(stored);
    }
  }

  const inUse = new Set([...kept, ...completed].map((stored) => allocIndex(stored.alloc.Name)));
  const lostByName = new Map(lost.map((stored) => [stored.alloc.Name, stored]));
  let wanted = group.Count - inUse.size;
  for (let index = 0; wanted > 0; index++) {
    if (inUse.has(index)) continue;
    const name = allocName(job.ID, group.Name, index);
    result.place.push({ group, name, previous: lostByName.get(name) });
    wanted--;
  }
  return result;
}

export function reconcile(
  job: Job | undefined,
  allocs: StoredAlloc[],
  nodes: StoredNode[],
  versions: Record<number, Job>,
): Reconciliation {
  const nodesById = new Map(nodes.map((entry) => [entry.node.ID, entry]));
  const result: Reconciliation = { groups: [], stop: [] };
  if (!job || job.Stop) {
    for (const stored of allocs) {
      if (stored.live) result.stop.push(stopFor(stored, nodesById, STOP_NOT_NEEDED));
    }
    return result;
  }
  const current = allocs.filter((stored) => stored.jobCreateIndex === job.CreateIndex);
  for (const stored of allocs) {
    if (stored.live && stored.jobCreateIndex !== job.CreateIndex) {
      result.stop.push(stopFor(stored, nodesById, STOP_NOT_NEEDED));
    }
  }
  const groupNames = new Set(job.TaskGroups.map((group) => group.Name));
  for (const stored of current) {
    if (stored.live && !groupNames.has(stored.alloc.TaskGroup)) {
      result.stop.push(stopFor(stored, nodesById, STOP_NOT_NEEDED));
    }
  }
  for (const group of job.TaskGroups) {
    const groupAllocs = current.filter((stored) => stored.alloc.TaskGroup === group.Name);
    result.groups.push(reconcileGroup(job, group, groupAllocs, nodesById, versions));
  }
  return result;
}
