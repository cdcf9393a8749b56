import type { Task, TaskGroup } from '../structs/job';

/**
 * Whether moving an allocation from one version of its group to another needs a new allocation
 * (destructive) rather than an in-place update: Nomad's `tasksUpdated`. Count, update strategy,
 * constraints and the like do not force a replacement; what runs on the node does.
 */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function combinedMeta(group: TaskGroup, task: Task, jobMeta: Record<string, string> | null): Record<string, string> {
  return { ...(jobMeta ?? {}), ...(group.Meta ?? {}), ...(task.Meta ?? {}) };
}

function taskChanged(a: Task, b: Task): boolean {
  return (
    a.Driver !== b.Driver ||
    a.User !== b.User ||
    !same(a.Config, b.Config) ||
    !same(a.Env, b.Env) ||
    !same(a.Artifacts, b.Artifacts) ||
    !same(a.Templates, b.Templates) ||
    !same(a.VolumeMounts, b.VolumeMounts) ||
    !same(a.Vault, b.Vault) ||
    !same(a.DispatchPayload, b.DispatchPayload) ||
    !same(a.Lifecycle, b.Lifecycle) ||
    a.Resources.CPU !== b.Resources.CPU ||
    a.Resources.Cores !== b.Resources.Cores ||
    a.Resources.MemoryMB !== b.Resources.MemoryMB ||
    a.Resources.MemoryMaxMB !== b.Resources.MemoryMaxMB ||
    !same(a.Resources.Devices, b.Resources.Devices) ||
    !same(a.Resources.Networks, b.Resources.Networks) ||
    a.LogConfig.Disabled !== b.LogConfig.Disabled
  );
}

export function tasksUpdated(
  oldGroup: TaskGroup,
  newGroup: TaskGroup,
  oldJobMeta: Record<string, string> | null,
  newJobMeta: Record<string, string> | null,
): boolean {
  if (oldGroup.Tasks.length !== newGroup.Tasks.length) return true;
  if (!same(oldGroup.Networks, newGroup.Networks)) return true;
  if (!same(oldGroup.EphemeralDisk, newGroup.EphemeralDisk)) return true;
  if (!same(oldGroup.Volumes, newGroup.Volumes)) return true;
  for (const newTask of newGroup.Tasks) {
    const oldTask = oldGroup.Tasks.find((task) => task.Name === newTask.Name);
    if (!oldTask || taskChanged(oldTask, newTask)) return true;
    if (!same(combinedMeta(oldGroup, oldTask, oldJobMeta), combinedMeta(newGroup, newTask, newJobMeta))) return true;
  }
  return false;
}
