import type { Allocation } from '../../shared/nomad/structs/allocation';
import { backoffDelay, sleep } from '../common/backoff';
import type { Logger } from '../common/logger';
import type { ClientAllocUpdate } from '../../shared/nomad/wire/client-protocol';
import type { AllocRecord, AllocRunner } from './allocrunner/alloc-runner';
import { stoppedWhileAway } from './allocrunner/stopped-while-away';
import type { ControlPlane } from './control-plane';

/**
 * Watches the node's allocations with Nomad's blocking query (`?index=` of the last answer), so
 * the agent learns of new placements and stops as soon as they are written, without polling.
 * New allocations the server wants running get a runner; known ones get the server's latest
 * version (a stop arrives this way); ones the server forgot (garbage-collected) are torn down.
 *
 * Allocations a previous agent left running (`restored`, from the local state) are taken up
 * again as the server lists them, and stopped if the server has stopped them meanwhile; ones
 * the server no longer lists at all are torn down once its first answer is in.
 */
const BLOCKING_WAIT = '2m';

export interface AllocWatcherDeps {
  plane: ControlPlane;
  createRunner(alloc: Allocation, restored?: AllocRecord): AllocRunner;
  /** Allocations the previous agent ran, by ID. */
  restored?: Map<string, AllocRecord>;
  /** Reports an allocation the server stopped while no runner here had it. */
  report(update: ClientAllocUpdate): void;
  onFinished(runner: AllocRunner): void;
  log: Logger;
}

const finished = (alloc: Allocation) => ['complete', 'failed', 'lost'].includes(alloc.ClientStatus);

export class AllocWatcher {
  readonly runners = new Map<string, AllocRunner>();
  private index = 0;

  constructor(private readonly deps: AllocWatcherDeps) {}

  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const { index, allocs } = await this.deps.plane.allocations(this.index, BLOCKING_WAIT, signal);
        // An index that went backwards means the server's data was reset: start over.
        this.index = index < this.index ? 0 : index;
        this.apply(allocs);
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        const delay = backoffDelay(failures, { baseMs: 500, maxMs: 15_000 });
        this.deps.log.warn(`watching allocations failed (${(error as Error).message}); retrying in ${Math.round(delay / 100) / 10}s`);
        await sleep(delay, signal);
      }
    }
  }

  apply(allocs: Allocation[]): void {
    const seen = new Set<string>();
    for (const alloc of allocs) {
      seen.add(alloc.ID);
      const runner = this.runners.get(alloc.ID);
      if (runner) {
        runner.update(alloc);
        continue;
      }
      const restored = this.takeRestored(alloc.ID);
      if (restored) {
        const wanted = alloc.DesiredStatus === 'run' && !finished(alloc);
        this.launch({ ...alloc, Job: alloc.Job ?? restored.alloc.Job }, restored, (created) => (wanted ? created.update(alloc) : void created.stop()));
        continue;
      }
      if (finished(alloc)) continue;
      if (alloc.DesiredStatus !== 'run') {
        this.deps.report(stoppedWhileAway(alloc));
        continue;
      }
      this.launch(alloc);
    }
    for (const [id, runner] of this.runners) {
      if (seen.has(id)) continue;
      this.runners.delete(id);
      void runner.destroy(true);
    }
    // What the previous agent ran and the server no longer knows: its tasks are killed and its directory removed.
    for (const [id, record] of this.deps.restored ?? []) {
      this.deps.restored!.delete(id);
      this.launch(record.alloc, record, (created) => {
        this.runners.delete(id);
        void created.destroy(true);
      });
    }
  }

  private takeRestored(id: string): AllocRecord | undefined {
    const record = this.deps.restored?.get(id);
    this.deps.restored?.delete(id);
    return record;
  }

  private launch(alloc: Allocation, restored?: AllocRecord, afterStart?: (runner: AllocRunner) => void): void {
    let created: AllocRunner;
    try {
      created = this.deps.createRunner(alloc, restored);
    } catch (error) {
      this.deps.log.error(`cannot run allocation ${alloc.ID}: ${(error as Error).message}`);
      return;
    }
    this.runners.set(alloc.ID, created);
    this.deps.log.info(`${restored ? 'restoring' : 'starting'} allocation ${alloc.ID} (${alloc.JobID}.${alloc.TaskGroup})`);
    void created
      .start()
      .then(() => afterStart?.(created))
      .then(() => created.finished)
      .then(() => this.deps.onFinished(created))
      .catch((error) => this.deps.log.error(`allocation ${alloc.ID}: ${(error as Error).message}`));
  }
}
