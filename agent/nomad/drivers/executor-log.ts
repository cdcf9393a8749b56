import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<task dir>/executor.out`, where Nomad's raw_exec and exec executors log: clients read it with
 * `nomad alloc fs <alloc> <task>/executor.out` (python-nomad's tests do). One hclog-style line per
 * launch of the task's command. Best effort: a log that cannot be written never fails a task.
 */
export function logLaunch(taskDir: string, command: unknown, args: unknown): void {
  const line = `${new Date().toISOString()} [INFO]  executor: launching command: command=${String(command)} args=${JSON.stringify(Array.isArray(args) ? args : [])}\n`;
  try {
    appendFileSync(join(taskDir, 'executor.out'), line);
  } catch {
    // the task runs regardless
  }
}
