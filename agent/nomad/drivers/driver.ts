import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { TaskLimits } from '../cgroups/cgroups';

/**
 * A task driver, as the task runner sees it: start a task and get a handle to wait on or stop,
 * and run an action's command in a task's environment. Output goes to the sinks the task runner
 * hands in (they write the task's log files and feed the log shipper).
 */
export interface OutputSinks {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

export interface StartRequest {
  allocId: string;
  taskName: string;
  /** The task's `config` block, with `${…}` already interpolated. */
  config: Record<string, unknown>;
  env: Record<string, string>;
  /** The task directory: the working directory of the task's processes. */
  taskDir: string;
  /** The allocation's shared `alloc/` directory (by default `alloc/` beside the task directory). */
  allocDir?: string;
  /**
   * The task's log files, which its processes write to directly, so they outlive the agent.
   * Without them, process output is piped to `output` and the task ends with the agent.
   */
  logFiles?: { stdout: string; stderr: string };
  output: OutputSinks;
  /** Limits to enforce; none when absent. */
  resources?: TaskLimits;
  /** The task's `user`; the driver's default when empty or absent. */
  user?: string;
  /** The group asked for the host's network (`network { mode = "host" }`). */
  hostNetwork?: boolean;
}

export interface ExitResult {
  exitCode: number;
  /** Signal number that ended the task, 0 if none. */
  signal: number;
  oomKilled: boolean;
  /** Set when the driver itself failed while the task ran. */
  error?: string;
}

export interface TaskHandle {
  /** Resolves once, when the task has exited. */
  wait(): Promise<ExitResult>;
  /** Sends `signal`, then kills outright if the task has not exited within `timeoutMs`. */
  stop(timeoutMs: number, signal: string): Promise<void>;
  /** What a restarted agent needs to find the task again (`Driver.recover`); none for tasks that die with the agent. */
  readonly state?: Record<string, unknown>;
  /** Stops watching the task, leaving it running (the agent is exiting). */
  detach?(): void;
  /** Sends a signal (by name, e.g. `SIGHUP`) to the task's processes; drivers without it ignore signals. */
  sendSignal?(signal: string): void;
}

export interface ExecRequest {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The task's `user` and network mode, for drivers that isolate the command as they isolate the task. */
  user?: string;
  hostNetwork?: boolean;
  /** The task's driver config (the mock driver reads its `exec_command` from it). */
  taskConfig: Record<string, unknown>;
  output: OutputSinks;
  signal: AbortSignal;
  /** `alloc exec`: the caller's stdin, and whether it asked for a terminal. */
  stdin?: Readable;
  tty?: boolean;
}

/** A driver's fingerprint, as Nomad reports it in `Node.Drivers`. */
export interface DriverHealth {
  detected: boolean;
  healthy: boolean;
  description: string;
}

export const HEALTHY: DriverHealth = { detected: true, healthy: true, description: 'Healthy' };

export interface Driver {
  readonly name: string;
  /** Attributes fingerprinted onto the node (`driver.<name>.*`). */
  readonly attributes: Record<string, string>;
  readonly health: DriverHealth;
  /** `chroot`: the task sees its task directory as `/`, and its NOMAD_*_DIR paths are inside it. */
  readonly fsIsolation: 'none' | 'chroot';
  start(request: StartRequest): Promise<TaskHandle>;
  /** The task a previous agent started, from its handle's `state`: still running, or already exited with its result. Undefined when it cannot be found. */
  recover(state: Record<string, unknown>): TaskHandle | undefined;
  exec(request: ExecRequest): Promise<{ exitCode: number }>;
}

/** A start failure; a recoverable one counts against the restart policy, others fail the task. */
export class DriverStartError extends Error {
  constructor(
    message: string,
    readonly recoverable: boolean,
  ) {
    super(message);
  }
}

/** A task's `config` block checked against the driver's schema; a mismatch fails the task for good. */
export function decodeDriverConfig<S extends z.ZodType>(schema: S, config: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(config);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DriverStartError(`failed to decode driver config: ${issue.path.join('.') || 'config'}: ${issue.message}`, false);
}
