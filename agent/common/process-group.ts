import type { ChildProcess } from 'node:child_process';

/** Signals the process group of a child spawned `detached` (so every process it forked); a group already gone is fine. */
export function killProcessGroup(child: ChildProcess, signal: NodeJS.Signals | number): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // the group is already gone
  }
}
