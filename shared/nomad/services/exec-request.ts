import { RelayError } from './relay-error';
import type { ActionRequest } from './action-request';
import type { ActionSession } from '../store/relay-sessions';
import { findAlloc } from '../store/allocs';
import { relaySession } from './relay-session';

/**
 * `alloc exec` as a relayed session: what Nomad checks before a command runs, with its texts
 * (a 404 or 400 of Nomad's closes the socket with 1008). Whether the task's driver isolates it
 * decides if `alloc-node-exec` is needed besides `alloc-exec` (raw_exec runs on the host).
 */
const ISOLATED_DRIVERS = new Set(['exec']);

export async function execSessionFor(sessionId: string, request: ActionRequest, command: string[]): Promise<ActionSession> {
  if (!request.allocId) throw new RelayError(1008, 'must provide a valid alloc id');
  const stored = await findAlloc(request.allocId);
  if (!stored) throw new RelayError(1008, `Unknown allocation "${request.allocId}"`);
  if (!request.task) throw new RelayError(1008, 'must provide task name');
  if (command.length === 0) throw new RelayError(1008, 'command is not present');
  const { session, task } = await relaySession(sessionId, { ...request, action: '' }, stored, `unknown task name ${JSON.stringify(request.task)}`);
  return { ...session, command, nodeExec: !ISOLATED_DRIVERS.has(task.Driver) };
}

/** The `command` query parameter: a JSON array of strings, as Nomad's HTTP agent reads it. */
export function parseExecCommand(text: string | undefined): string[] {
  let command: unknown;
  try {
    command = JSON.parse(text ?? '');
  } catch (error) {
    throw new Error(`failed to marshal command into json: ${(error as Error).message}`);
  }
  if (command === null) return [];
  if (!Array.isArray(command) || command.some((part) => typeof part !== 'string')) throw new Error('failed to marshal command into json: json: cannot unmarshal into Go value of type []string');
  return command as string[];
}
