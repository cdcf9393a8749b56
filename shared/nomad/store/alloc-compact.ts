import { isDeepStrictEqual } from 'node:util';
import type { AllocatedResources, Allocation } from '../structs/allocation';
import type { AllocClaim } from '../structs/cluster-state';
import type { AllocMetric } from '../structs/evaluation';

/**
 * Compact stored forms of the two bulkiest parts of an allocation, for the shape the scheduler
 * gives them (docs/scale.md: under 1 KB an item and each of its index entries cost one write unit
 * instead of two or three). Each is used only when it expands back to exactly what it encodes;
 * anything else (networks, devices, reserved cores, other scorers' layouts) is stored whole.
 */

/** `[DiskMB, TaskLifecycles, name, CpuShares, MemoryMB, MemoryMaxMB, name, …]`. */
type CompactResources = unknown[];

export function expandResources(compact: CompactResources): AllocatedResources {
  const [disk, lifecycles, ...tasks] = compact;
  const entries = [];
  for (let i = 0; i < tasks.length; i += 4) {
    entries.push([
      tasks[i],
      {
        Cpu: { CpuShares: tasks[i + 1], ReservedCores: null },
        Memory: { MemoryMB: tasks[i + 2], MemoryMaxMB: tasks[i + 3] },
        Networks: null,
        Devices: null,
      },
    ]);
  }
  return {
    Tasks: Object.fromEntries(entries),
    TaskLifecycles: (lifecycles ?? null) as AllocatedResources['TaskLifecycles'],
    Shared: { DiskMB: disk as number, Networks: null, Ports: null },
  };
}

/** The scheduler gives every allocation of a group one shared resources object: checked once. */
const compacted = new WeakMap<AllocatedResources, CompactResources | undefined>();

export function compactResources(resources: AllocatedResources): CompactResources | undefined {
  if (compacted.has(resources)) return compacted.get(resources);
  const compact = compactUnshared(resources);
  compacted.set(resources, compact);
  return compact;
}

function compactUnshared(resources: AllocatedResources): CompactResources | undefined {
  const tasks = Object.entries(resources.Tasks ?? {}).flatMap(([name, task]) => [name, task?.Cpu?.CpuShares, task?.Memory?.MemoryMB, task?.Memory?.MemoryMaxMB]);
  const compact: unknown[] = [resources.Shared?.DiskMB, resources.TaskLifecycles ?? null, ...tasks];
  // A list keeps positions only if no element is dropped on the way to the store.
  if (compact.includes(undefined)) return undefined;
  return isDeepStrictEqual(expandResources(compact), resources) ? compact : undefined;
}

/** What the allocation claims on its node, as the scheduler sums it from the same task resources. */
export function claimOf(resources: AllocatedResources): AllocClaim {
  const tasks = Object.values(resources.Tasks);
  return {
    CpuShares: tasks.reduce((sum, task) => sum + task.Cpu.CpuShares, 0),
    MemoryMB: tasks.reduce((sum, task) => sum + task.Memory.MemoryMB, 0),
    DiskMB: resources.Shared.DiskMB,
  };
}

/**
 * `[NodesEvaluated, NodesFiltered, NodesInPool, NodesExhausted, AllocationTime, CoalescedFailures,
 * NodesAvailable, ClassFiltered, ConstraintFiltered, ClassExhausted, DimensionExhausted,
 * QuotaExhausted, ResourcesExhausted, normalized score, scores by scorer]`, trailing nulls left
 * off. The chosen node's scores are stored once, by scorer: Scores and ScoreMetaData both name
 * the allocation's node (generic-sched.ts recordScores).
 */
type CompactMetric = unknown[];

export function expandMetric(compact: CompactMetric, nodeId: string): AllocMetric {
  const at = (i: number) => (compact[i] ?? null) as any;
  const norm = at(13);
  const scores = at(14);
  const scored = norm !== null && scores !== null;
  return {
    NodesEvaluated: at(0),
    NodesFiltered: at(1),
    NodesInPool: at(2),
    NodesAvailable: at(6),
    ClassFiltered: at(7),
    ConstraintFiltered: at(8),
    NodesExhausted: at(3),
    ClassExhausted: at(9),
    DimensionExhausted: at(10),
    QuotaExhausted: at(11),
    ResourcesExhausted: at(12),
    Scores: scored ? Object.fromEntries([...Object.entries(scores).map(([name, value]) => [`${nodeId}.${name}`, value]), [`${nodeId}.normalized-score`, norm]]) : null,
    ScoreMetaData: scored ? [{ NodeID: nodeId, Scores: scores, NormScore: norm }] : null,
    AllocationTime: at(4),
    CoalescedFailures: at(5),
  };
}

export function compactMetric(metric: AllocMetric, nodeId: string): CompactMetric | undefined {
  const meta = metric.ScoreMetaData?.[0] as { Scores?: unknown; NormScore?: unknown } | undefined;
  const compact: unknown[] = [
    metric.NodesEvaluated,
    metric.NodesFiltered,
    metric.NodesInPool,
    metric.NodesExhausted,
    metric.AllocationTime,
    metric.CoalescedFailures,
    metric.NodesAvailable,
    metric.ClassFiltered,
    metric.ConstraintFiltered,
    metric.ClassExhausted,
    metric.DimensionExhausted,
    metric.QuotaExhausted,
    metric.ResourcesExhausted,
    meta?.NormScore ?? null,
    meta?.Scores ?? null,
  ];
  while (compact.length > 0 && compact[compact.length - 1] === null) compact.pop();
  if (compact.includes(undefined)) return undefined;
  return isDeepStrictEqual(expandMetric(compact, nodeId), metric) ? compact : undefined;
}

/** Allocation fields left out of a stored item while they hold these values (restored on read). */
export const OMITTED_DEFAULTS: Partial<Record<keyof Allocation, '' | null>> = {
  DesiredDescription: '',
  ClientDescription: '',
  TaskStates: null,
  PreviousAllocation: '',
  NextAllocation: '',
  DeploymentStatus: null,
  RescheduleTracker: null,
  FollowupEvalID: '',
  PreemptedAllocations: null,
  PreemptedByAllocation: '',
};
