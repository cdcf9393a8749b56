import { ApiError } from '../common/api-client';
import { backoffDelay, sleep } from '../common/backoff';
import type { Logger } from '../common/logger';
import type { ControlPlane } from './control-plane';

/**
 * Registration and heartbeats. The node registers (retrying with backoff until the API answers),
 * then heartbeats at half the TTL the server returned, so one lost heartbeat never lets the TTL
 * run out. A server that no longer knows the node (404) gets a fresh registration.
 */
export class NodeLifecycle {
  private ttlMs = 10_000;

  constructor(
    private readonly plane: ControlPlane,
    private readonly node: () => Record<string, unknown>,
    private readonly log: Logger,
  ) {}

  async register(signal: AbortSignal): Promise<void> {
    for (let failures = 0; !signal.aborted; ) {
      try {
        const result = await this.plane.register(this.node());
        this.ttlMs = result.HeartbeatTTL / 1e6;
        this.log.info(`registered node ${result.NodeID} (heartbeat TTL ${this.ttlMs / 1000}s)`);
        return;
      } catch (error) {
        failures++;
        const delay = backoffDelay(failures, { baseMs: 500, maxMs: 15_000 });
        this.log.warn(`registration failed (${(error as Error).message}); retrying in ${Math.round(delay / 100) / 10}s`);
        await sleep(delay, signal);
      }
    }
  }

  async heartbeat(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const delay = failures === 0 ? this.ttlMs / 2 : Math.min(this.ttlMs / 4, backoffDelay(failures, { baseMs: 500, maxMs: 10_000 }));
      await sleep(delay, signal);
      if (signal.aborted) return;
      try {
        const result = await this.plane.heartbeat();
        this.ttlMs = result.HeartbeatTTL / 1e6;
        failures = 0;
      } catch (error) {
        failures++;
        if (error instanceof ApiError && error.status === 404) {
          this.log.warn('the server does not know this node any more; registering again');
          await this.register(signal);
          failures = 0;
        } else {
          this.log.warn(`heartbeat failed: ${(error as Error).message}`);
        }
      }
    }
  }
}
