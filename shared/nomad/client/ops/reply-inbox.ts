import { EventEmitter } from 'node:events';
import type { ClientRpcReply } from './client-rpc-protocol';
import { putReplyPart, readReplyParts } from '../store/rpc-replies';

/**
 * Where client RPC replies arrive from the agents' channels and where callers wait for them. Every
 * part is kept in the table (the caller may wait in another Lambda); a caller in the same process
 * as the channel (`npm start`) is also woken at once instead of at its next poll.
 */
const arrivals = new EventEmitter();
arrivals.setMaxListeners(0);

export async function acceptReply(nodeId: string, reply: ClientRpcReply): Promise<void> {
  if (typeof reply.ID !== 'string' || !Number.isInteger(reply.Seq) || reply.Seq < 0) return;
  await putReplyPart(nodeId, reply);
  arrivals.emit(reply.ID);
}

/** Parts after `afterSeq`, waiting up to `pollMs` for some to arrive (or for `signal`). */
export async function nextReplyParts(requestId: string, nodeId: string, afterSeq: number, pollMs: number, signal?: AbortSignal): Promise<ClientRpcReply[]> {
  let woken = false;
  const wake = () => (woken = true);
  arrivals.on(requestId, wake);
  try {
    const parts = await readReplyParts(requestId, nodeId, afterSeq);
    if (parts.length > 0 || woken || signal?.aborted) return parts;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        arrivals.off(requestId, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, pollMs);
      arrivals.on(requestId, done);
      signal?.addEventListener('abort', done);
    });
    return await readReplyParts(requestId, nodeId, afterSeq);
  } finally {
    arrivals.off(requestId, wake);
  }
}
