import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { resolveSecret, TokenError } from '../acl/resolve';
import { NomadError } from '../errors';
import { parseGoBool } from './params';
import { webSocketConnectionKey } from '../store/client-keys';
import { authenticateNode } from '../services/node-auth';
import { parseExecCommand } from '../services/exec-request';
import { ActionRelay, type ConnectionPort } from '../services/action-relay';
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
 * What a connection is (agent of node N, or caller) is kept in the table for the later events.
 * Frames go out with `postToConnection`. A caller's frames can reach us while its own $connect
 * is still being answered, when API Gateway refuses posts to it (410): a post is retried for up
 * to about a second before the connection counts as gone. API Gateway cannot send close codes:
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

type Connection = { Role: 'agent'; NodeID: string } | { Role: 'caller' };

const CONNECTION_TTL_SECONDS = 3 * 3600;
const GONE_RETRIES = 10;

let client: ApiGatewayManagementApiClient | undefined;
function management(): ApiGatewayManagementApiClient {
  client ??= new ApiGatewayManagementApiClient({ endpoint: config().actionsCallbackUrl });
  return client;
}

export class ApiGatewayPort implements ConnectionPort {
  /** A close asked for while the connection is still in $connect becomes the $connect answer. */
  refused: { code: number; reason: string } | undefined;

  constructor(private readonly connecting?: string) {}

  async send(connectionId: string, data: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await management().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(data) }));
        return true;
      } catch (error) {
        if (!(error instanceof GoneException)) throw error;
        if (attempt >= GONE_RETRIES) return false;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async close(connectionId: string, code: number, reason: string): Promise<void> {
    if (connectionId === this.connecting) {
      this.refused = { code, reason };
      return;
    }
    try {
      await management().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!(error instanceof GoneException)) throw error;
    }
  }
}

async function putConnection(connectionId: string, connection: Connection): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: { ...webSocketConnectionKey(connectionId), ...connection, ExpiresAt: Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS },
    }),
  );
}

async function readConnection(connectionId: string): Promise<Connection | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: webSocketConnectionKey(connectionId), ConsistentRead: true }));
  return result.Item as Connection | undefined;
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
    await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key: webSocketConnectionKey(connectionId) }));
    if (connection.Role === 'agent') await relay.agentClosed(connection.NodeID, connectionId);
    else await relay.callerClosed(connectionId);
    return { statusCode: 200 };
  }
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : (event.body ?? '');
  if (connection.Role === 'agent') await relay.agentMessage(connection.NodeID, body);
  else await relay.callerMessage(connectionId, body);
  return { statusCode: 200 };
}

