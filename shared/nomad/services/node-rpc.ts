import { randomUUID } from 'node:crypto';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { NomadError } from '../errors';
import { readNode } from '../store/nodes';
import { ApiGatewayPort } from '../../aws/apigw-port';
import { localSockets } from './local-sockets';
import type { ConnectionPort } from './action-relay';
import { agentChannel } from '../store/relay-sessions';
import type { ClientRpcMethod, ClientRpcReply, ClientRpcRequest, StreamPiece } from '../wire/client-rpc-protocol';
import { ReplyWaiter } from './reply-inbox';

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

/** Sends the request down the node's channel; the node is looked up only when it has none, to tell an unknown node from one out of reach. */
async function send(nodeId: string, request: ClientRpcRequest): Promise<string> {
  const channel = await agentChannel(nodeId);
  if (channel && (await channelPort().send(channel, JSON.stringify(request)))) return channel;
  if (!(await readNode(nodeId))) throw new NomadError(404, `Unknown node ${nodeId}`);
  throw new NomadError(404, NO_PATH_TO_NODE);
}

/** A unary call: the reply's body (its parts joined in order), or its error as a NomadError. */
export async function callNode(nodeId: string, method: ClientRpcMethod, args: object, timeoutMs = CALL_TIMEOUT_MS): Promise<unknown> {
  const id = randomUUID();
  const replies = new ReplyWaiter(id, nodeId);
  try {
    await send(nodeId, { Type: 'rpc.request', ID: id, Method: method, Args: { ...args } });
    const deadline = Date.now() + timeoutMs;
    let text = '';
    let seq = -1;
    while (Date.now() < deadline) {
      for (const reply of await replies.next(seq, Math.min(POLL_MS, deadline - Date.now()))) {
        seq = reply.Seq;
        if (reply.Error) throw replyError(reply);
        text += reply.BodyText ?? '';
        if (reply.Done) return JSON.parse(text || 'null');
      }
    }
    throw new NomadError(500, `rpc error: node ${nodeId} did not answer ${method} within ${timeoutMs / 1000}s`);
  } finally {
    replies.close();
  }
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
  const replies = new ReplyWaiter(id, nodeId);
  let channel: string;
  try {
    channel = await send(nodeId, { Type: 'rpc.request', ID: id, Method: method, Args: { ...args } });
  } catch (error) {
    replies.close();
    throw error;
  }
  let cancelled = false;
  const cancel = async () => {
    replies.close();
    if (cancelled) return;
    cancelled = true;
    await channelPort().send(channel, JSON.stringify({ Type: 'rpc.cancel', ID: id }));
  };
  let seq = -1;
  const buffered: ClientRpcReply[] = [];
  const fill = async (): Promise<boolean> => {
    while (buffered.length === 0) {
      if (signal?.aborted || Date.now() >= deadline) return false;
      buffered.push(...(await replies.next(seq + buffered.length, Math.min(POLL_MS * 5, Math.max(0, deadline - Date.now())), signal)));
    }
    return true;
  };
  if (!(await fill())) {
    await cancel();
    if (signal?.aborted) return { pieces: (async function* () {})(), cancel };
    throw new NomadError(500, `rpc error: node ${nodeId} did not answer ${method} in time`);
  }
  if (buffered[0].Error) {
    await cancel();
    throw replyError(buffered[0]);
  }
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
