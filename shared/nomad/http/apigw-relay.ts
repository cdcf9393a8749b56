import { ApiGatewayPort } from '../../aws/apigw-port';
import { resolveSecret, TokenError } from '../acl/resolve';
import { NomadError } from '../errors';
import { parseGoBool } from './params';
import { deleteConnection, putConnection, readConnection } from '../store/websocket-connections';
import { authenticateNode } from '../services/node-auth';
import { parseExecCommand } from '../services/exec-request';
import { ActionRelay } from '../services/action-relay';
import type { ActionRequest } from '../services/action-request';

/**
 * The action relay on AWS, behind the API Gateway WebSocket API (infra/constructs/actions-websocket.ts).
 * One Lambda takes the API's three routes; every invocation is one event of one connection:
 *
 *   $connect     an agent (`?role=agent`, with its token and node ID/secret headers) opening its
 *                channel, or a caller opening an action (`?job_id=&action=&allocID=&task=…`; a
 *                WebSocket API has one URL, so the job comes in the query rather than the path)
 *                or an exec (`?alloc_id=&task=&command=[…]&tty=`);
 *   $default     a frame: an agent's output for a session, or a caller's handshake;
 *   $disconnect  either side going away.
 *
 * What a connection is (agent of node N, or caller) is kept in the table for the later events
 * (store/websocket-connections.ts). Frames go out with `postToConnection` (aws/apigw-port.ts).
 * API Gateway cannot send close codes:
 * an error a caller should see is refused in $connect as an HTTP status (400 for 1008, 500 for
 * 1011) when it is found there, and otherwise ends the connection without a code.
 */
export interface WebSocketEvent {
  requestContext: { routeKey: string; connectionId: string };
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

function header(event: WebSocketEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function bearer(event: WebSocketEvent): string | undefined {
  const token = header(event, 'X-Nomad-Token');
  if (token) return token;
  return /^Bearer\s+(.+)$/i.exec(header(event, 'Authorization') ?? '')?.[1];
}

const truthy = (value: string | undefined) => value === '' || (value !== undefined && parseGoBool(value) === true);

async function connectAgent(event: WebSocketEvent, relay: ActionRelay): Promise<{ statusCode: number; body?: string }> {
  try {
    const { acl } = await resolveSecret(bearer(event));
    if (!acl.allowNode('write')) return { statusCode: 403, body: 'Permission denied' };
    const nodeId = await authenticateNode({ nodeId: header(event, 'X-Nomad-Node-ID'), secret: header(event, 'X-Nomad-Node-Secret') });
    await putConnection(event.requestContext.connectionId, { Role: 'agent', NodeID: nodeId });
    await relay.agentOpened(nodeId, event.requestContext.connectionId);
    return { statusCode: 200 };
  } catch (error) {
    if (error instanceof TokenError) return { statusCode: 403, body: error.message };
    if (error instanceof NomadError) return { statusCode: error.status, body: error.message };
    throw error;
  }
}

export async function handleWebSocketEvent(event: WebSocketEvent): Promise<{ statusCode: number; body?: string }> {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey === '$connect') {
    const query = event.queryStringParameters ?? {};
    const port = new ApiGatewayPort(connectionId);
    const relay = new ActionRelay(port);
    if (query.role === 'agent') return connectAgent(event, relay);
    const request: ActionRequest = {
      jobId: query.job_id ?? '',
      namespace: query.namespace || 'default',
      action: query.action ?? '',
      allocId: query.allocID || query.alloc_id || '',
      task: query.task ?? '',
      tty: truthy(query.tty),
      handshake: truthy(query.ws_handshake),
    };
    // `alloc exec` callers name a command instead of a job and action.
    if (query.command !== undefined) {
      try {
        request.command = parseExecCommand(query.command);
      } catch (error) {
        return { statusCode: 400, body: (error as Error).message };
      }
    } else if (!request.jobId) return { statusCode: 400, body: 'missing job_id' };
    await putConnection(connectionId, { Role: 'caller' });
    await relay.callerOpened(connectionId, request, bearer(event));
    if (port.refused) return { statusCode: port.refused.code === 1008 ? 400 : 500, body: port.refused.reason };
    return { statusCode: 200 };
  }

  const relay = new ActionRelay(new ApiGatewayPort());
  const connection = await readConnection(connectionId);
  if (!connection) return { statusCode: 410 };
  if (routeKey === '$disconnect') {
    await deleteConnection(connectionId);
    if (connection.Role === 'agent') await relay.agentClosed(connection.NodeID, connectionId);
    else await relay.callerClosed(connectionId);
    return { statusCode: 200 };
  }
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : (event.body ?? '');
  if (connection.Role === 'agent') await relay.agentMessage(connection.NodeID, body);
  else await relay.callerMessage(connectionId, body);
  return { statusCode: 200 };
}

