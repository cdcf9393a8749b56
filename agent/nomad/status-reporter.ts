import type { ClientAllocUpdate } from '../../shared/nomad/wire/client-protocol';
import { ApiError } from '../common/api-client';
import { backoffDelay } from '../common/backoff';
import type { Logger } from '../common/logger';
import type { ControlPlane } from './control-plane';

/**
 * Sends allocation status to the server in batches, as Nomad's client does (every 200 ms at
 * most): only the latest state of each allocation is kept, so a burst of task events costs one
 * request. A failed send is retried with backoff; an allocation the server no longer knows is
 * dropped.
 */
export class StatusReporter {
  private pending = new Map<string, ClientAllocUpdate>();
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly plane: ControlPlane,
    private readonly log: Logger,
    private readonly intervalMs = 200,
  ) {}

  update(update: ClientAllocUpdate): void {
    if (this.stopped) return;
    this.pending.set(update.ID, update);
    this.schedule(this.intervalMs);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  /** Sends whatever is pending now; resolves when the send (and any in flight) is done. */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.sending = this.send(batch).finally(() => (this.sending = undefined));
    await this.sending;
  }

  private async send(batch: ClientAllocUpdate[]): Promise<void> {
    try {
      await this.plane.updateAllocs(batch);
      this.failures = 0;
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && batch.length > 1) {
        // One unknown allocation fails the whole request: send them one by one instead.
        for (const update of batch) await this.send([update]);
        return;
      }
      if (error instanceof ApiError && error.status === 400) {
        this.log.warn(`dropping status of allocation ${batch[0].ID}: ${error.body.trim()}`);
        return;
      }
      this.failures++;
      for (const update of batch) if (!this.pending.has(update.ID)) this.pending.set(update.ID, update);
      this.log.warn(`status update failed (${(error as Error).message}); retrying`);
      this.schedule(backoffDelay(this.failures, { baseMs: 500, maxMs: 30_000 }));
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
