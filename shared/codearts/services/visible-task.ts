import { canSee, type Caller } from '../auth/caller';
import { taskNotFound } from '../errors';
import type { TaskRecord } from '../records';
import { getTask } from '../store/tasks';

/** The task as `caller` may see it: others are told it does not exist, as are deleted tasks. */
export async function visibleTask(caller: Caller, jobId: string): Promise<TaskRecord> {
  const task = await getTask(jobId);
  if (!task || task.deletedAt !== undefined || !canSee(caller, task.owner)) throw taskNotFound();
  return task;
}
