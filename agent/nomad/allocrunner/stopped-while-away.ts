import type { Allocation, TaskState } from '../../../shared/nomad/structs/allocation';
import type { ClientAllocUpdate } from '../../../shared/nomad/wire/client-protocol';
import { taskEvent, TaskEventType, withEvent, ZERO_TIME } from './task-events';

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
    states[name] = {
      State: 'dead',
      Failed: before?.Failed ?? false,
      Restarts: before?.Restarts ?? 0,
      LastRestart: before?.LastRestart ?? ZERO_TIME,
      StartedAt: before?.StartedAt ?? ZERO_TIME,
      FinishedAt: new Date(now).toISOString(),
      Events: withEvent(before?.Events, taskEvent(TaskEventType.Killed, {}, now * 1_000_000)),
    };
  }
  return { ID: alloc.ID, ClientStatus: 'complete', ClientDescription: 'All tasks have completed', TaskStates: states };
}
