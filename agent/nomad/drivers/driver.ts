import type { z } from 'zod';

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
  output: OutputSinks;
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
}

export interface ExecRequest {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The task's driver config (the mock driver reads its `exec_command` from it). */
  taskConfig: Record<string, unknown>;
  output: OutputSinks;
  signal: AbortSignal;
}

export interface Driver {
  readonly name: string;
  /** Attributes fingerprinted onto the node (`driver.<name>.*`). */
  readonly attributes: Record<string, string>;
  start(request: StartRequest): Promise<TaskHandle>;
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
