import { randomUUID } from 'node:crypto';
import type { WSContext } from 'hono/ws';
import { ActionRelay, type ConnectionPort } from './action-relay';

/**
 * The relay's connections when the API runs as one Node process (`npm start`): every socket,
 * callers' and agents', is held here under a random connection ID.
 */
class LocalSockets implements ConnectionPort {
  private readonly sockets = new Map<string, WSContext>();

  add(socket: WSContext): string {
    const id = randomUUID();
    this.sockets.set(id, socket);
    return id;
  }

  remove(id: string): void {
    this.sockets.delete(id);
  }

  async send(id: string, data: string): Promise<boolean> {
    const socket = this.sockets.get(id);
    if (!socket || socket.readyState !== 1) return false;
    socket.send(data);
    return true;
  }

  async close(id: string, code: number, reason: string): Promise<void> {
    this.sockets.get(id)?.close(code, reason);
    this.sockets.delete(id);
  }
}

export const localSockets = new LocalSockets();
export const localRelay = new ActionRelay(localSockets);
