import { EventEmitter } from 'node:events';
import type { ClientRpcReply } from '../wire/client-rpc-protocol';
import { putReplyPart, readReplyParts } from '../store/rpc-replies';

/**
 * Where client RPC replies arrive from the agents' channels and where callers wait for them. Every
 * part is kept in the table (on AWS the caller waits in another Lambda, and reads it from there);
 * a caller in the same process as the channel (`npm start`) is handed the part at once.
 */
const arrivals = new EventEmitter();
arrivals.setMaxListeners(0);

export async function acceptReply(nodeId: string, reply: ClientRpcReply): Promise<void> {
  if (typeof reply.ID !== 'string' || !Number.isInteger(reply.Seq) || reply.Seq < 0) return;
  await putReplyPart(nodeId, reply);
  arrivals.emit(reply.ID, nodeId, reply);
}

/** The replies to one request from one node, handed out in order of Seq without gaps. Open it before sending the request. */
export class ReplyWaiter {
  private readonly arrived = new Map<number, ClientRpcReply>();
  private wake: (() => void) | undefined;
  private readonly listener = (nodeId: string, reply: ClientRpcReply) => {
    if (nodeId !== this.nodeId) return;
    this.arrived.set(reply.Seq, reply);
    this.wake?.();
  };

  constructor(
    readonly requestId: string,
    readonly nodeId: string,
  ) {
    arrivals.on(requestId, this.listener);
  }

  close(): void {
    arrivals.off(this.requestId, this.listener);
  }

  /** The parts after `afterSeq`; waits up to `pollMs` (or until `signal`) for them, then looks in the table. */
  async next(afterSeq: number, pollMs: number, signal?: AbortSignal): Promise<ClientRpcReply[]> {
    const ready = this.contiguous(afterSeq);
    if (ready.length > 0 || signal?.aborted) return ready;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, pollMs);
      this.wake = done;
      signal?.addEventListener('abort', done);
    });
    const woken = this.contiguous(afterSeq);
    if (woken.length > 0) return woken;
    for (const part of await readReplyParts(this.requestId, this.nodeId, afterSeq)) if (!this.arrived.has(part.Seq)) this.arrived.set(part.Seq, part);
    return this.contiguous(afterSeq);
  }

  private contiguous(afterSeq: number): ClientRpcReply[] {
    const parts: ClientRpcReply[] = [];
    for (let seq = afterSeq + 1; this.arrived.has(seq); seq++) {
      parts.push(this.arrived.get(seq)!);
      this.arrived.delete(seq);
    }
    return parts;
  }
}
