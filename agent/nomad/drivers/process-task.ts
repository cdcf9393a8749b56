import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { constants } from 'node:os';
import { killProcessGroup } from '../../common/process-group';
import type { ExitResult, OutputSinks, TaskHandle } from './driver';
import { DriverStartError } from './driver';

/**
 * A host process piped to the agent, as actions run: its own process group (so stopping it
 * reaches every child it forked), stdout and stderr piped to the sinks. Tasks are started
 * differently (task-process.ts), so that they outlive the agent.
 */
export interface SpawnOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  output: OutputSinks;
  /** Piped to the process's stdin when given (else it reads nothing). */
  stdin?: Readable;
}

function signalNumber(name: string | null): number {
  if (!name) return 0;
  return (constants.signals as Record<string, number>)[name] ?? 0;
}

export function spawnProcess(options: SpawnOptions): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    if (options.stdin) {
      child.stdin!.on('error', () => undefined);
      options.stdin.pipe(child.stdin!);
    }
    child.stdout!.on('data', (chunk: Buffer) => options.output.stdout(chunk));
    child.stderr!.on('data', (chunk: Buffer) => options.output.stderr(chunk));
    child.once('spawn', () => resolve(child));
    child.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' ? `executable file not found: ${options.command}` : error.message;
      reject(new DriverStartError(`failed to launch command with executor: ${reason}`, false));
    });
  });
}

/** Resolves when the process has exited and its output pipes are drained. */
function processExit(child: ChildProcess): Promise<ExitResult> {
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      resolve({ exitCode: code ?? (signal ? 128 + signalNumber(signal) : 0), signal: signalNumber(signal), oomKilled: false });
    });
  });
}

export function processHandle(child: ChildProcess): TaskHandle {
  const exited = processExit(child);
  let done = false;
  void exited.then(() => (done = true));
  return {
    wait: () => exited,
    async stop(timeoutMs, signal) {
      if (done) return;
      const name = (signal || 'SIGINT') as NodeJS.Signals;
      killProcessGroup(child, signalNumber(name) ? name : 'SIGINT');
      const timer = setTimeout(() => killProcessGroup(child, 'SIGKILL'), Math.max(0, timeoutMs));
      await exited;
      clearTimeout(timer);
    },
  };
}
