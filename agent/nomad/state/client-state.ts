import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AllocRecord } from '../allocrunner/alloc-runner';

/**
 * The agent's local state, as Nomad's client keeps its state DB: the allocations it runs, their
 * tasks' states, the driver handles that find the tasks' processes again, and how far their logs
 * are shipped, in `<data-dir>/client/state.json`. Every write replaces the file whole (a
 * temporary file, synced, then renamed over it), so a crash leaves the old state or the new one.
 */
const VERSION = 1;

interface StateFile {
  Version: number;
  Allocs: Record<string, AllocRecord>;
}

export class ClientStateStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'client', 'state.json');
  }

  /** The allocations the last agent ran; none when there is no state or it is unreadable. */
  load(): Map<string, AllocRecord> {
    let parsed: StateFile;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8')) as StateFile;
    } catch {
      return new Map();
    }
    if (parsed.Version !== VERSION || !parsed.Allocs) return new Map();
    return new Map(Object.entries(parsed.Allocs));
  }

  save(allocs: AllocRecord[]): void {
    const file: StateFile = { Version: VERSION, Allocs: Object.fromEntries(allocs.map((record) => [record.alloc.ID, record])) };
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(file));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }
}
