import type { Allocation } from '../../shared/nomad/structs/allocation';
import { backoffDelay, sleep } from '../common/backoff';
import type { Logger } from '../common/logger';
import type { ClientAllocUpdate } from '../../shared/nomad/services/update-allocs';
import type { AllocRunner } from './allocrunner/alloc-runner';
import { stoppedWhileAway } from './allocrunner/stopped-while-away';
import type { ControlPlane } from './control-plane';

/**
 * Watches the node's allocations with Nomad's blocking query (`?index=` of the last answer), so
 * the agent learns of new placements and stops as soon as they are written, without polling.
 * New allocations the server wants running get a runner; known ones get the server's latest
 * version (a stop arrives this way); ones the server forgot (garbage-collected) are torn down.
 */
const BLOCKING_WAIT = '2m';

export interface AllocWatcherDeps {
  plane: ControlPlane;
  createRunner(alloc: Allocation): AllocRunner;
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
      if (finished(alloc)) continue;
      if (alloc.DesiredStatus !== 'run') {
        this.deps.report(stoppedWhileAway(alloc));
        continue;
      }
      let created: AllocRunner;
      try {
        created = this.deps.createRunner(alloc);
      } catch (error) {
        this.deps.log.error(`cannot run allocation ${alloc.ID}: ${(error as Error).message}`);
        continue;
      }
      this.runners.set(alloc.ID, created);
      this.deps.log.info(`starting allocation ${alloc.ID} (${alloc.JobID}.${alloc.TaskGroup})`);
      void created
        .start()
        .then(() => created.finished)
        .then(() => this.deps.onFinished(created))
        .catch((error) => this.deps.log.error(`allocation ${alloc.ID}: ${(error as Error).message}`));
    }
    for (const [id, runner] of this.runners) {
      if (seen.has(id)) continue;
      this.runners.delete(id);
      void runner.destroy(true);
    }
  }
}
