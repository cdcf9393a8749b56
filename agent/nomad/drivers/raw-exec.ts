import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Driver, ExecRequest, StartRequest, TaskHandle } from './driver';
import { decodeDriverConfig, DriverStartError, HEALTHY } from './driver';
import { asUser, giveTaskDirs, launchProcessTask, recoverProcessTask, requireCommand, requireUser, type ProcessDriverHost } from './process-launch';
import { processHandle, spawnProcess } from './process-task';
import { findExecutable } from '../../common/executable';

/**
 * Nomad's raw_exec: the task's `command` with `args`, run as the agent's user with no isolation,
 * in the task directory, with the task's environment, as the agent's user or the task's `user`
 * (which takes an agent running as root); its resources are still limited through the node's
 * cgroups.
 */
const RawExecConfig = z.object({ command: z.string().min(1), args: z.array(z.string()).optional() }).passthrough();

export class RawExecDriver implements Driver {
  readonly name = 'raw_exec';
  readonly attributes: Record<string, string> = {};
  readonly health = HEALTHY;
  readonly fsIsolation = 'none';

  constructor(private readonly host: ProcessDriverHost = {}) {}

  async start(request: StartRequest): Promise<TaskHandle> {
    const config = decodeDriverConfig(RawExecConfig, request.config);
    const command = requireCommand(config.command, request.env.PATH);
    const user = request.user ? this.asUser(request) : [];
    return launchProcessTask(this.host, request, [...user, command, ...(config.args ?? [])], request.taskDir);
  }

  private asUser(request: StartRequest): string[] {
    const user = requireUser(request.user!);
    if (!this.host.setpriv || process.getuid?.() !== 0) throw new DriverStartError(`failed to start task: running as user ${JSON.stringify(request.user)} takes an agent running as root, with setpriv`, false);
    giveTaskDirs(request.taskDir, request.allocDir ?? join(dirname(request.taskDir), 'alloc'), user);
    return asUser(this.host.setpriv, user);
  }

  recover(state: Record<string, unknown>): TaskHandle | undefined {
    return recoverProcessTask(state);
  }

  async exec(request: ExecRequest): Promise<{ exitCode: number }> {
    return runCommand(request, request.command, request.args);
  }
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** The command under util-linux `script`, which gives it a pseudo-terminal (an exec with `tty`); its exit code is the command's. */
function inTerminal(command: string, args: string[]): string[] {
  const script = findExecutable('script', '/usr/bin:/bin:/usr/local/bin');
  if (!script) throw new Error('a terminal needs util-linux script on the node');
  return [script, '-qfec', [command, ...args].map(quote).join(' '), '/dev/null'];
}

/** Runs an action's command (already wrapped as the driver isolates it) and waits for it; an abort stops it. */
export async function runCommand(request: ExecRequest, command: string, args: string[]): Promise<{ exitCode: number }> {
  const [file, ...rest] = request.tty ? inTerminal(command, args) : [command, ...args];
  const child = await spawnProcess({ command: file, args: rest, env: request.env, cwd: request.cwd, output: request.output, stdin: request.stdin });
  const handle = processHandle(child);
  const abort = () => void handle.stop(2_000, 'SIGTERM');
  request.signal.addEventListener('abort', abort, { once: true });
  const result = await handle.wait();
  request.signal.removeEventListener('abort', abort);
  return { exitCode: result.exitCode };
}
