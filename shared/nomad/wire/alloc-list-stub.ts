import type { StoredAlloc } from '../store/allocs';

/**
 * Nomad's AllocListStub, as `/v1/job/:id/allocations` and `/v1/allocations` list them, fields in
 * Nomad's order. `AllocatedResources` only with `resources=true`; `TaskStates` is null with
 * `task_states=false`.
 */
export interface StubFields {
  resources?: boolean;
  taskStates?: boolean;
}

export function allocListStub(stored: StoredAlloc, jobType: string, fields: StubFields = {}) {
  const { alloc } = stored;
  const transition = alloc.DesiredTransition;
  return {
    ID: alloc.ID,
    EvalID: alloc.EvalID,
    Name: alloc.Name,
    Namespace: alloc.Namespace,
    NodeID: alloc.NodeID,
    NodeName: alloc.NodeName,
    JobID: alloc.JobID,
    JobType: jobType,
    JobVersion: stored.jobVersion,
    TaskGroup: alloc.TaskGroup,
    ...(fields.resources ? { AllocatedResources: alloc.AllocatedResources } : {}),
    DesiredStatus: alloc.DesiredStatus,
    DesiredDescription: alloc.DesiredDescription,
    ClientStatus: alloc.ClientStatus,
    ClientDescription: alloc.ClientDescription,
    DesiredTransition: {
      Migrate: transition?.Migrate ?? null,
      Reschedule: transition?.Reschedule ?? null,
      ForceReschedule: transition?.ForceReschedule ?? null,
      NoShutdownDelay: transition?.NoShutdownDelay ?? null,
    },
    TaskStates: fields.taskStates === false ? null : (alloc.TaskStates ?? null),
    DeploymentStatus: alloc.DeploymentStatus ?? null,
    FollowupEvalID: alloc.FollowupEvalID ?? '',
    NextAllocation: alloc.NextAllocation ?? '',
    RescheduleTracker: alloc.RescheduleTracker ?? null,
    PreemptedAllocations: alloc.PreemptedAllocations ?? null,
    PreemptedByAllocation: alloc.PreemptedByAllocation ?? '',
    CreateIndex: alloc.CreateIndex,
    ModifyIndex: alloc.ModifyIndex,
    CreateTime: alloc.CreateTime,
    ModifyTime: alloc.ModifyTime,
  };
}
