import type { ClientStatus, TaskState } from '../../../shared/nomad/structs/allocation';

/**
 * An allocation's client status from its tasks' states, by Nomad's rule: any failed task makes
 * it failed; otherwise any running task makes it running, any pending one pending, and only when
 * every task is dead is it complete. Pure.
 */
export function allocClientStatus(states: Record<string, TaskState>): { status: ClientStatus; description: string } {
  const all = Object.values(states);
  if (all.some((state) => state.State === 'dead' && state.Failed)) return { status: 'failed', description: 'Failed tasks' };
  if (all.some((state) => state.State === 'running')) return { status: 'running', description: 'Tasks are running' };
  if (all.some((state) => state.State === 'pending')) return { status: 'pending', description: 'No tasks have started' };
  return { status: 'complete', description: 'All tasks have completed' };
}
