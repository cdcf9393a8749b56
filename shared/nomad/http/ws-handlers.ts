import { config } from '../../config';
import { upgradeWebSocket } from '@hono/node-server';
import type { Context } from 'hono';
import { requestSecret } from '../acl/guard';
import { badRequest } from '../errors';
import type { JobPath } from './job-path';
import { boolParam, namespaceParam, parseGoBool } from './params';
import { parseExecCommand } from '../services/exec-request';
import { nomadJson } from './respond';
import { requireAgentNode } from '../services/node-auth';
import { localRelay, localSockets } from '../services/local-sockets';
import type { ActionRequest } from '../services/action-request';
import type { AgentChannelLocation } from '../wire/client-protocol';

/**
 * The WebSocket endpoints as the local Node server serves them (`npm start`; the server injects
 * the upgrade, see infra/local/local-stack.ts). On AWS the same relay runs behind the API Gateway
 * WebSocket API instead (functions/actions-ws.ts); the HTTP API only tells agents where that is.
 */
const NOT_WEBSOCKET = "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header";
const noop = async () => undefined;

/**
 * Runs a connection's events one after another: a handshake frame that arrives while the
 * session is still being set up must wait for it (API Gateway gives the same order on AWS, where
 * no message is delivered before $connect returns).
 */
function inOrder(): (step: () => Promise<void>) => void {
  let last: Promise<void> = Promise.resolve();
  return (step) => {
    last = last.then(step).catch(() => undefined);
  };
}

function isUpgrade(c: Context): boolean {
  return c.req.header('upgrade')?.toLowerCase() === 'websocket';
}

/** Upgrades the caller's connection and relays its frames, in order, to the node that runs the allocation. */
async function relayCaller(c: Context, request: ActionRequest): Promise<Response> {
  const secret = requestSecret(c);
  const next = inOrder();
  let id = '';
  const response = await upgradeWebSocket(() => ({
    onOpen: (_event, socket) => {
      id = localSockets.add(socket);
      next(() => localRelay.callerOpened(id, request, secret));
    },
    onMessage: (event) => next(() => localRelay.callerMessage(id, String(event.data))),
    onClose: () => {
      localSockets.remove(id);
      next(() => localRelay.callerClosed(id));
    },
  }))(c, noop);
  return response ?? c.body(null, 500);
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
  return relayCaller(c, request);
}

/** `WebSocket /v1/client/allocation/:alloc_id/exec?task=&command=["…"]&tty=&ws_handshake=`: `alloc exec`, relayed as actions are. */
export async function execHandler(c: Context): Promise<Response> {
  let command: string[];
  try {
    command = parseExecCommand(c.req.query('command'));
  } catch (error) {
    throw badRequest((error as Error).message);
  }
  const tty = c.req.query('tty');
  if (tty && parseGoBool(tty) === undefined) throw badRequest(`tty value is not a boolean: strconv.ParseBool: parsing ${JSON.stringify(tty)}: invalid syntax`);
  if (!isUpgrade(c)) throw badRequest(NOT_WEBSOCKET);
  const request: ActionRequest = {
    jobId: '',
    namespace: namespaceParam(c),
    action: '',
    allocId: c.req.param('alloc_id') ?? '',
    task: c.req.query('task') ?? '',
    tty: tty ? parseGoBool(tty)! : false,
    handshake: boolParam(c, 'ws_handshake'),
    command,
  };
  return relayCaller(c, request);
}

/**
 * `GET /v1/client/agent/channel`: upgraded, the calling node's action channel; plain, where to
 * open it (this path locally, the WebSocket API's URL on AWS).
 */
export async function agentChannelHandler(c: Context): Promise<Response> {
  const nodeId = await requireAgentNode(c);
  if (!isUpgrade(c)) {
    const websocketApi = config().actionsWebSocketUrl;
    const location: AgentChannelLocation = { URL: websocketApi ? `${websocketApi}?role=agent` : '/v1/client/agent/channel' };
    return nomadJson(c, location);
  }
  const next = inOrder();
  let id = '';
  const response = await upgradeWebSocket(() => ({
    onOpen: (_event, socket) => {
      id = localSockets.add(socket);
      next(() => localRelay.agentOpened(nodeId, id));
    },
    onMessage: (event) => next(() => localRelay.agentMessage(nodeId, String(event.data))),
    onClose: () => {
      localSockets.remove(id);
      next(() => localRelay.agentClosed(nodeId, id));
    },
  }))(c, noop);
  return response ?? c.body(null, 500);
}
