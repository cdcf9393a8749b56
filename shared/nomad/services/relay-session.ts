import { RelayError } from './relay-error';
import type { ActionRequest } from './action-request';
import { withJobs, type StoredAlloc } from '../store/allocs';
import type { Task } from '../structs/job';
import type { ActionSession } from '../store/relay-sessions';

/**
 * What an action and an exec session share once the caller's allocation is found: the allocation
 * joined with its job, the requested task in it (`unknownTask` is the caller's own text for a
 * missing one, as Nomad words the two differently) and the session that will run there.
 */
export async function relaySession(sessionId: string, request: ActionRequest, stored: StoredAlloc, unknownTask: string): Promise<{ session: ActionSession; task: Task }> {
  const [alloc] = await withJobs([stored]);
  const task = alloc.Job?.TaskGroups.find((group) => group.Name === alloc.TaskGroup)?.Tasks.find((candidate) => candidate.Name === request.task);
  if (!task) throw new RelayError(1008, unknownTask);
  const session: ActionSession = {
    sessionId,
    nodeId: alloc.NodeID,
    namespace: alloc.Namespace,
    allocId: alloc.ID,
    task: request.task,
    action: request.action,
    tty: request.tty,
    awaitingHandshake: request.handshake,
  };
  return { session, task };
}
