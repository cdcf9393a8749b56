import { upgradeWebSocket } from '@hono/node-server';
import type { Context } from 'hono';
import { requestSecret } from '../../acl/guard';
import { badRequest } from '../../http/errors';
import type { JobPath } from '../../http/job-path';
import { boolParam, namespaceParam } from '../../http/params';
import { nomadJson } from '../../http/respond';
import { requireAgentNode } from '../node-auth';
import { localRelay, localSockets } from './local-sockets';
import type { ActionRequest } from './relay';

/**
 * The WebSocket endpoints as the local Node server serves them (`npm start`; the server injects
 * the upgrade, see infra/local/local-stack.ts). On AWS the same relay runs behind the API Gateway
 * WebSocket API instead (functions/actions-ws.ts); the HTTP API only tells agents where that is.
 */
const NOT_WEBSOCKET = "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header";
const noop = async () => undefined;

function isUpgrade(c: Context): boolean {
  return c.req.header('upgrade')?.toLowerCase() === 'websocket';
}

/** `WebSocket /v1/job/:job_id/action?action=&allocID=&task=&tty=&ws_handshake=` (`alloc_id` accepted too). */
export async function actionHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  if (!isUpgrade(c)) throw badRequest(NOT_WEBSOCKET);
  const request: ActionRequest = {
    jobId,
    namespace: namespaceParam(c),
    action: c.req.query('action') ?? '',
    allocId: c.req.query('allocID') || c.req.query('alloc_id') || '',
    task: c.req.query('task') ?? '',
    tty: boolParam(c, 'tty'),
    handshake: boolParam(c, 'ws_handshake'),
  };
  const secret = requestSecret(c);
  let id = '';
  const response = await upgradeWebSocket(() => ({
    onOpen: (_event, socket) => {
      id = localSockets.add(socket);
      void localRelay.callerOpened(id, request, secret);
    },
    onMessage: (event) => void localRelay.callerMessage(id, String(event.data)),
    onClose: () => {
      localSockets.remove(id);
      void localRelay.callerClosed(id);
    },
  }))(c, noop);
  return response ?? c.body(null, 500);
}

/**
 * `GET /v1/client/agent/channel`: upgraded, the calling node's action channel; plain, where to
 * open it (this path locally, the WebSocket API's URL on AWS).
 */
export async function agentChannelHandler(c: Context): Promise<Response> {
  const nodeId = await requireAgentNode(c);
  if (!isUpgrade(c)) return nomadJson(c, { URL: process.env.ACTIONS_WEBSOCKET_URL || '/v1/client/agent/channel' });
  let id = '';
  const response = await upgradeWebSocket(() => ({
    onOpen: (_event, socket) => {
      id = localSockets.add(socket);
      void localRelay.agentOpened(nodeId, id);
    },
    onMessage: (event) => void localRelay.agentMessage(nodeId, String(event.data)),
    onClose: () => {
      localSockets.remove(id);
      void localRelay.agentClosed(nodeId, id);
    },
  }))(c, noop);
  return response ?? c.body(null, 500);
}
