import type { ActionCancel, ActionInput, ActionStart, FromAgent } from '../wire/channel-protocol';
import type { ActionRequest } from './action-request';
import { execSessionFor } from './exec-request';
import { RelayError } from './relay-error';
import { resolveSecret, TokenError } from '../acl/resolve';
import { findAlloc } from '../store/allocs';
import { relaySession } from './relay-session';
import { acceptReply } from './reply-inbox';
import { agentChannel, deleteAgentChannel, deleteSession, putAgentChannel, putSession, readSession, type ActionSession } from '../store/relay-sessions';

/**
 * The action relay: `WebSocket /v1/job/:job_id/action` sessions from callers, carried to the agent
 * holding the allocation over that agent's own outbound channel, and the agent's frames carried
 * back. Both ends are connections identified by an ID and reached through a ConnectionPort:
 *
 * - locally, one Node process holds every socket and the port writes to them directly;
 * - on AWS, both callers and agents connect to the API Gateway WebSocket API; the port is
 *   `postToConnection` / `DeleteConnection`, and each event ($connect, $default, $disconnect) is
 *   one Lambda invocation, so everything the relay needs between events (which connection is
 *   which node's channel, which session belongs to which caller and node) is kept in the table
 *   (store/relay-sessions.ts), never in memory.
 *
 * A session's ID is the caller's connection ID. Errors close the caller's socket as Nomad does:
 * 1008 (policy) for what the caller got wrong, 1011 for internal failures, the message as reason.
 */
export interface ConnectionPort {
  /** False when the connection is gone. */
  send(connectionId: string, data: string): Promise<boolean>;
  close(connectionId: string, code: number, reason: string): Promise<void>;
}

/** Checks a request against the store; the session it describes, not yet authorised. */
async function sessionFor(sessionId: string, request: ActionRequest): Promise<ActionSession> {
  if (!request.action) throw new RelayError(1008, 'missing action name');
  if (!request.allocId) throw new RelayError(1008, 'missing allocation ID');
  if (!request.task) throw new RelayError(1008, 'missing task name');
  const stored = await findAlloc(request.allocId);
  if (!stored || stored.alloc.JobID !== request.jobId || stored.alloc.Namespace !== request.namespace) {
    throw new RelayError(1008, `allocation ${request.allocId} not found in job ${request.jobId}`);
  }
  const { session, task } = await relaySession(sessionId, request, stored, `task ${request.task} not found in allocation`);
  if (!(task.Actions ?? []).some((action) => action.Name === request.action)) throw new RelayError(1008, `action ${request.action} not found`);
  return session;
}

async function authorize(session: ActionSession, secret: string | undefined): Promise<void> {
  try {
    const { acl } = await resolveSecret(secret);
    if (!acl.allowNamespace(session.namespace, 'alloc-exec')) throw new RelayError(1008, 'Permission denied');
    if (session.nodeExec && !acl.allowNamespace(session.namespace, 'alloc-node-exec')) throw new RelayError(1008, 'Permission denied');
  } catch (error) {
    if (error instanceof TokenError) throw new RelayError(1008, error.message);
    throw error;
  }
}

export class ActionRelay {
  constructor(private readonly port: ConnectionPort) {}

  private async fail(callerId: string, error: unknown): Promise<void> {
    const code = error instanceof RelayError ? error.code : 1011;
    await this.port.close(callerId, code, (error as Error).message.slice(0, 120));
    await deleteSession(callerId);
  }

  /** A caller connected: validate, and start the action unless a handshake frame must come first. */
  async callerOpened(callerId: string, request: ActionRequest, secret: string | undefined): Promise<void> {
    try {
      const session = request.command ? await execSessionFor(callerId, request, request.command) : await sessionFor(callerId, request);
      await putSession(session);
      if (!session.awaitingHandshake) await this.begin(session, secret);
    } catch (error) {
      await this.fail(callerId, error);
    }
  }

  /** A frame from the caller: the auth handshake (`{version, auth_token}`); `tty_size` needs nothing, there being no stdin. */
  async callerMessage(callerId: string, data: string): Promise<void> {
    const session = await readSession(callerId);
    if (session && !session.awaitingHandshake && session.command) return this.forwardInput(session, data);
    if (!session?.awaitingHandshake) return;
    try {
      const frame = JSON.parse(data) as { version?: number; auth_token?: string };
      if (frame.version !== 1) throw new RelayError(1008, 'expected a handshake frame {"version":1,"auth_token":…}');
      session.awaitingHandshake = false;
      await putSession(session);
      await this.begin(session, frame.auth_token);
    } catch (error) {
      await this.fail(callerId, error instanceof SyntaxError ? new RelayError(1008, 'invalid handshake frame') : error);
    }
  }

  private async begin(session: ActionSession, secret: string | undefined): Promise<void> {
    await authorize(session, secret);
    const channel = await agentChannel(session.nodeId);
    const start: ActionStart = { Type: 'action.start', Session: session.sessionId, AllocID: session.allocId, Task: session.task, Action: session.action, Tty: session.tty, Command: session.command };
    if (!channel || !(await this.port.send(channel, JSON.stringify(start)))) {
      throw new RelayError(1011, `node ${session.nodeId} has no open agent channel`);
    }
  }

  /** An exec caller's stdin or tty_size frame, passed on to the node as it is. */
  private async forwardInput(session: ActionSession, data: string): Promise<void> {
    let frame: ActionInput['Frame'];
    try {
      frame = JSON.parse(data) as ActionInput['Frame'];
    } catch {
      return;
    }
    const channel = await agentChannel(session.nodeId);
    const input: ActionInput = { Type: 'action.input', Session: session.sessionId, Frame: frame };
    if (channel) await this.port.send(channel, JSON.stringify(input));
  }

  async callerClosed(callerId: string): Promise<void> {
    const session = await readSession(callerId);
    if (!session) return;
    await deleteSession(callerId);
    const channel = await agentChannel(session.nodeId);
    const cancel: ActionCancel = { Type: 'action.cancel', Session: callerId };
    if (channel) await this.port.send(channel, JSON.stringify(cancel));
  }

  async agentOpened(nodeId: string, connectionId: string): Promise<void> {
    await putAgentChannel(nodeId, connectionId);
  }

  async agentClosed(nodeId: string, connectionId: string): Promise<void> {
    await deleteAgentChannel(nodeId, connectionId);
  }

  /** A message from an agent: a frame for a caller, the end of a session, or a client RPC's reply. */
  async agentMessage(nodeId: string, data: string): Promise<void> {
    let message: FromAgent;
    try {
      message = JSON.parse(data) as FromAgent;
    } catch {
      return;
    }
    if (message.Type === 'rpc.reply') return acceptReply(nodeId, message);
    const session = await readSession(message.Session);
    if (!session || session.nodeId !== nodeId) return;
    if (message.Type === 'action.error') return this.fail(session.sessionId, new RelayError(message.Code, message.Message));
    if (message.Type !== 'action.frame') return;
    const delivered = await this.port.send(session.sessionId, JSON.stringify(message.Frame));
    if (!delivered) return this.callerClosed(session.sessionId);
    if ('exited' in message.Frame) {
      await deleteSession(session.sessionId);
      await this.port.close(session.sessionId, 1000, '');
    }
  }
}
