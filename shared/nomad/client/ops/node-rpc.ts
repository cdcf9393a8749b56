import { randomUUID } from 'node:crypto';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { NomadError } from '../../http/errors';
import { readNode } from '../../store/nodes';
import { ApiGatewayPort } from '../actions/apigw-relay';
import { localSockets } from '../actions/local-sockets';
import type { ConnectionPort } from '../actions/relay';
import { agentChannel } from '../actions/relay-store';
import type { ClientRpcMethod, ClientRpcReply, ClientRpcRequest, StreamPiece } from './client-rpc-protocol';
import { nextReplyParts } from './reply-inbox';

/**
 * Calls a client RPC on a node over its agent channel, as a Nomad server forwards one over the
 * node's RPC connection: a node the server does not know is `Unknown node <id>`, one without an
 * open channel (down, or its agent not running) `No path to node`, both 404 at the HTTP layer.
 * Requests go out through the port the channel lives behind (this process's sockets under
 * `npm start`, API Gateway's postToConnection on AWS, where ACTIONS_CALLBACK_URL is set).
 */
const POLL_MS = 100;
const CALL_TIMEOUT_MS = 15_000;

export const NO_PATH_TO_NODE = 'No path to node';

let apiGateway: ApiGatewayPort | undefined;
function channelPort(): ConnectionPort {
  if (!process.env.ACTIONS_CALLBACK_URL) return localSockets;
  apiGateway ??= new ApiGatewayPort();
  return apiGateway;
}

function replyError(reply: ClientRpcReply): NomadError {
  return new NomadError((reply.Error?.Code ?? 500) as ContentfulStatusCode, reply.Error?.Message ?? 'client RPC failed');
}

async function send(nodeId: string, request: ClientRpcRequest): Promise<string> {
  if (!(await readNode(nodeId))) throw new NomadError(404, `Unknown node ${nodeId}`);
  const channel = await agentChannel(nodeId);
  if (!channel || !(await channelPort().send(channel, JSON.stringify(request)))) throw new NomadError(404, NO_PATH_TO_NODE);
  return channel;
}

/** A unary call: the reply's body (its parts joined in order), or its error as a NomadError. */
export async function callNode(nodeId: string, method: ClientRpcMethod, args: object, timeoutMs = CALL_TIMEOUT_MS): Promise<unknown> {
  const id = randomUUID();
  await send(nodeId, { Type: 'rpc.request', ID: id, Method: method, Args: { ...args } });
  const deadline = Date.now() + timeoutMs;
  let text = '';
  let seq = -1;
  while (Date.now() < deadline) {
    for (const reply of await nextReplyParts(id, nodeId, seq, Math.min(POLL_MS * 10, deadline - Date.now()))) {
      if (reply.Seq !== seq + 1) break;
      seq = reply.Seq;
      if (reply.Error) throw replyError(reply);
      text += reply.BodyText ?? '';
      if (reply.Done) return JSON.parse(text || 'null');
    }
  }
  throw new NomadError(500, `rpc error: node ${nodeId} did not answer ${method} within ${timeoutMs / 1000}s`);
}

export interface NodeStream {
  /** The pieces, in order, until the node ends the stream, `signal` aborts or the deadline passes. */
  pieces: AsyncGenerator<StreamPiece>;
  /** Tells the node to stop (the caller went away). */
  cancel(): Promise<void>;
}

/**
 * Opens a streaming call. Resolves once the node has answered: an error before any data is thrown
 * (so the HTTP answer can carry its status); an error later ends the stream.
 */
export async function streamNode(nodeId: string, method: ClientRpcMethod, args: object, deadline: number, signal?: AbortSignal): Promise<NodeStream> {
  const id = randomUUID();
  const channel = await send(nodeId, { Type: 'rpc.request', ID: id, Method: method, Args: { ...args } });
  let cancelled = false;
  const cancel = async () => {
    if (cancelled) return;
    cancelled = true;
    await channelPort().send(channel, JSON.stringify({ Type: 'rpc.cancel', ID: id }));
  };
  let seq = -1;
  const buffered: ClientRpcReply[] = [];
  const fill = async (): Promise<boolean> => {
    while (buffered.length === 0) {
      if (signal?.aborted || Date.now() >= deadline) return false;
      const parts = await nextReplyParts(id, nodeId, seq, Math.min(POLL_MS * 5, Math.max(0, deadline - Date.now())), signal);
      // Parts are numbered from 0 without gaps; one that is missing yet is waited for.
      for (const part of parts) {
        if (part.Seq !== seq + 1 + buffered.length) break;
        buffered.push(part);
      }
    }
    return true;
  };
  if (!(await fill())) {
    await cancel();
    if (signal?.aborted) return { pieces: (async function* () {})(), cancel };
    throw new NomadError(500, `rpc error: node ${nodeId} did not answer ${method} in time`);
  }
  if (buffered[0].Error) throw replyError(buffered[0]);
  async function* pieces(): AsyncGenerator<StreamPiece> {
    try {
      for (;;) {
        if (!(await fill())) return;
        const part = buffered.shift()!;
        seq = part.Seq;
        if (part.Error) return;
        if (part.Piece) yield part.Piece;
        if (part.Done) {
          cancelled = true;
          return;
        }
      }
    } finally {
      await cancel();
    }
  }
  return { pieces: pieces(), cancel };
}
