import type { Allocation } from '../structs/allocation';
import type { AllocMetric } from '../structs/evaluation';
import type { Job, TaskGroup } from '../structs/job';
import type { Node } from '../structs/node';
import type { AllocClaim, StoredAlloc } from '../structs/cluster-state';

/** What one allocation of a group asks of its node: the sum of its tasks plus the shared disk. */
export function groupClaim(group: TaskGroup): AllocClaim {
  return {
    CpuShares: group.Tasks.reduce((sum, task) => sum + (task.Resources?.CPU ?? 0), 0),
    MemoryMB: group.Tasks.reduce((sum, task) => sum + (task.Resources?.MemoryMB ?? 0), 0),
    DiskMB: group.EphemeralDisk?.SizeMB ?? 0,
  };
}

export interface NewAllocation {
  id: string;
  evalId: string;
  job: Job;
  group: TaskGroup;
  name: string;
  node: Node;
  metric: AllocMetric;
  previous?: StoredAlloc;
  /** The deployment the allocation is placed under ('' for none), and whether it is a canary. */
  deploymentId?: string;
  canary?: boolean;
  rescheduleTracker?: Allocation['RescheduleTracker'];
  /** Unix ms. */
  now: number;
}

/**
 * What every allocation of a group is given, built once per group: a plan for a large group
 * shares these read-only objects instead of holding thousands of equal copies.
 */
interface GroupShape {
  resources: Allocation['AllocatedResources'];
  claim: AllocClaim;
}

const shapes = new WeakMap<TaskGroup, GroupShape>();

function groupShape(group: TaskGroup): GroupShape {
  let shape = shapes.get(group);
  if (!shape) {
    const tasks = Object.fromEntries(
      group.Tasks.map((task) => [
        task.Name,
        {
          Cpu: { CpuShares: task.Resources.CPU, ReservedCores: null },
          Memory: { MemoryMB: task.Resources.MemoryMB, MemoryMaxMB: task.Resources.MemoryMaxMB },
          Networks: null,
          Devices: null,
        },
      ]),
    );
    const lifecycles = group.Tasks.filter((task) => task.Lifecycle);
    shape = {
      resources: {
        Tasks: tasks,
        TaskLifecycles: lifecycles.length > 0 ? Object.fromEntries(lifecycles.map((task) => [task.Name, task.Lifecycle])) : null,
        Shared: { DiskMB: group.EphemeralDisk.SizeMB, Networks: null, Ports: null },
      },
      claim: groupClaim(group),
    };
    shapes.set(group, shape);
  }
  return shape;
}

/** A fresh allocation, before the plan applier stamps its indexes. */
export function newAllocation(spec: NewAllocation): StoredAlloc {
  const { job, group, node } = spec;
  const shape = groupShape(group);
  const nanos = spec.now * 1_000_000;
  const alloc: Allocation = {
    ID: spec.id,
    Namespace: job.Namespace,
    EvalID: spec.evalId,
    Name: spec.name,
    NodeID: node.ID,
    NodeName: node.Name,
    JobID: job.ID,
    TaskGroup: group.Name,
    AllocatedResources: shape.resources,
    Metrics: spec.metric,
    DesiredStatus: 'run',
    DesiredDescription: '',
    DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
    ClientStatus: 'pending',
    ClientDescription: '',
    TaskStates: null,
    PreviousAllocation: spec.previous?.alloc.ID ?? '',
    NextAllocation: '',
    DeploymentID: spec.deploymentId ?? '',
    DeploymentStatus: spec.canary ? { Healthy: null, Timestamp: '0001-01-01T00:00:00Z', Canary: true, ModifyIndex: 0 } : null,
    RescheduleTracker: spec.rescheduleTracker ?? null,
    FollowupEvalID: '',
    PreemptedAllocations: null,
    PreemptedByAllocation: '',
    CreateIndex: 0,
    ModifyIndex: 0,
    AllocModifyIndex: 0,
    CreateTime: nanos,
    ModifyTime: nanos,
  };
  return {
    alloc,
    jobVersion: job.Version,
    jobCreateIndex: job.CreateIndex,
    jobModifyIndex: job.JobModifyIndex,
    live: true,
    claim: shape.claim,
  };
}
