import type { Job } from '../structs/job';
import type { GroupScale } from '../services/scale-job';

/** Nomad's JobScaleStatus, with a TaskGroupScaleStatus per group. Its JobModifyIndex is the job's ModifyIndex, as Nomad fills it. */
export function jobScaleStatus(job: Job, groups: Map<string, GroupScale>) {
  const TaskGroups: Record<string, unknown> = {};
  for (const [name, group] of groups) {
    TaskGroups[name] = {
      Desired: group.desired,
      Placed: group.placed,
      Running: group.running,
      Healthy: group.healthy,
      Unhealthy: group.unhealthy,
      Events: group.events,
    };
  }
  return {
    JobCreateIndex: job.CreateIndex,
    JobID: job.ID,
    Namespace: job.Namespace,
    JobModifyIndex: job.ModifyIndex,
    JobStopped: job.Stop,
    TaskGroups,
  };
}
