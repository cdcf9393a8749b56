import type { Job } from '../structs/job';

/** Nomad's JobAction list (`GET /v1/job/:id/actions`): every task action, in group then task order. */
export function jobActions(job: Job) {
  return job.TaskGroups.flatMap((group) =>
    group.Tasks.flatMap((task) =>
      (task.Actions ?? []).map((action) => ({
        Name: action.Name,
        Command: action.Command,
        Args: action.Args ?? null,
        TaskName: task.Name,
        TaskGroupName: group.Name,
      })),
    ),
  );
}
