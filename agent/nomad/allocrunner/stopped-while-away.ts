import type { Allocation, TaskState } from '../../../shared/nomad/structs/allocation';
import type { ClientAllocUpdate } from '../../../shared/nomad/services/update-allocs';
import { taskEvent, TaskEventType } from './task-events';

/**
 * The final status of an allocation the server stopped while this agent was not running it (the
 * agent was down, and its tasks died with it): every task dead, Killed, and the allocation
 * complete, as Nomad's client reports a stopped allocation. Without it the server would show
 * the allocation `running` for good. Pure.
 */
export function stoppedWhileAway(alloc: Allocation, now = Date.now()): ClientAllocUpdate {
  const names = alloc.Job?.TaskGroups.find((group) => group.Name === alloc.TaskGroup)?.Tasks.map((task) => task.Name) ?? Object.keys(alloc.TaskStates ?? {});
  const states: Record<string, TaskState> = {};
  for (const name of names) {
    const before = alloc.TaskStates?.[name];
    const events = [...(before?.Events ?? []), taskEvent(TaskEventType.Killed, {}, now * 1_000_000)].slice(-10);
    states[name] = {
      State: 'dead',
      Failed: before?.Failed ?? false,
      Restarts: before?.Restarts ?? 0,
      LastRestart: before?.LastRestart ?? '0001-01-01T00:00:00Z',
      StartedAt: before?.StartedAt ?? '0001-01-01T00:00:00Z',
      FinishedAt: new Date(now).toISOString(),
      Events: events,
    };
  }
  return { ID: alloc.ID, ClientStatus: 'complete', ClientDescription: 'All tasks have completed', TaskStates: states };
}
