import type { DesiredUpdates } from '../scheduler/types';
import { tasksUpdated } from '../scheduler/tasks-updated';
import type { Job } from '../structs/job';
import type { JobDiff } from './diff';

/**
 * What `job plan` shows next to the diff (Nomad's scheduler/annotate.go): per group, the counts
 * of what the scheduler would do; per task, whether the change forces new allocations; on a
 * changed Count, whether it creates or destroys. Mutates the diff it is given. Pure otherwise.
 */
const UPDATE_NAMES: [keyof DesiredUpdates, string][] = [
  ['Ignore', 'ignore'],
  ['Place', 'create'],
  ['Migrate', 'migrate'],
  ['Stop', 'destroy'],
  ['InPlaceUpdate', 'in-place update'],
  ['DestructiveUpdate', 'create/destroy update'],
  ['Canary', 'canary'],
  ['Preemptions', 'preemption'],
];

export function annotatePlanDiff(diff: JobDiff, desired: Record<string, DesiredUpdates>, oldJob: Job | undefined, newJob: Job): void {
  for (const group of diff.TaskGroups ?? []) {
    const counts = desired[group.Name];
    if (counts) {
      const updates: Record<string, number> = {};
      for (const [field, name] of UPDATE_NAMES) if (counts[field]) updates[name] = counts[field];
      group.Updates = Object.keys(updates).length > 0 ? updates : null;
    }
    const count = group.Fields?.find((field) => field.Name === 'Count');
    if (count && count.Type === 'Edited') {
      count.Annotations = [Number(count.New) > Number(count.Old) ? 'forces create' : 'forces destroy'];
    }
    const oldGroup = oldJob?.TaskGroups.find((candidate) => candidate.Name === group.Name);
    const newGroup = newJob.TaskGroups.find((candidate) => candidate.Name === group.Name);
    const destructive = !!oldGroup && !!newGroup && tasksUpdated(oldGroup, newGroup, oldJob?.Meta ?? null, newJob.Meta);
    for (const task of group.Tasks ?? []) {
      if (task.Type === 'Added') task.Annotations = ['forces create'];
      else if (task.Type === 'Deleted') task.Annotations = ['forces destroy'];
      else if (task.Type === 'Edited') task.Annotations = [destructive ? 'forces create/destroy update' : 'forces in-place update'];
    }
  }
}
