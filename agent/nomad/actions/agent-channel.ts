import WebSocket from 'ws';
import { backoffDelay, sleep } from '../../common/backoff';
import type { Logger } from '../../common/logger';
import type { FromAgent, ToAgent } from '../../../shared/nomad/wire/channel-protocol';

/**
 * The node's long-lived outbound WebSocket to the API (`/v1/client/agent/channel` locally, the
 * WebSocket API's URL on AWS), through which the API relays action sessions. Kept open with pings
 * and reopened with backoff whenever it drops; agents never need an inbound port.
 */
export interface AgentChannelOptions {
  url: string;
  headers: Record<string, string>;
  onMessage(message: ToAgent): void;
  log: Logger;
}

export class AgentChannel {
  private socket: WebSocket | undefined;
  private readonly stopped = new AbortController();
  private connectedOnce!: () => void;
  /** Resolves when the channel is first open. */
  readonly ready = new Promise<void>((resolve) => (this.connectedOnce = resolve));

  constructor(private readonly options: AgentChannelOptions) {}

  send(message: FromAgent): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped.signal.aborted) {
      const opened = await this.connectOnce();
      if (this.stopped.signal.aborted) return;
      failures = opened ? 1 : failures + 1;
      await sleep(backoffDelay(failures, { baseMs: 500, maxMs: 30_000 }), this.stopped.signal);
    }
  }

  /** Resolves when the socket closes; true if it had opened. */
  private connectOnce(): Promise<boolean> {
    return new Promise((resolve) => {
      let opened = false;
      const socket = new WebSocket(this.options.url, { headers: this.options.headers });
      this.socket = socket;
      const ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.ping(), 30_000);
      socket.on('open', () => {
        opened = true;
        this.options.log.info('action channel open');
        this.connectedOnce();
      });
      socket.on('message', (data) => {
        try {
          this.options.onMessage(JSON.parse(data.toString()) as ToAgent);
        } catch (error) {
          this.options.log.warn(`bad message on the action channel: ${(error as Error).message}`);
        }
      });
      socket.on('unexpected-response', (_request, response) => {
        this.options.log.warn(`action channel refused: ${response.statusCode}`);
      });
      socket.on('error', (error) => this.options.log.debug(`action channel: ${error.message}`));
      socket.on('close', () => {
        clearInterval(ping);
        resolve(opened);
      });
    });
  }

  stop(): void {
    this.stopped.abort();
    const socket = this.socket;
    socket?.close(1000);
    // A server that never answers the close handshake must not hold the agent's shutdown.
    if (socket) setTimeout(() => socket.terminate(), 1_000).unref();
  }
}
