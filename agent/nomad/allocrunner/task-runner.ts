import { mkdirSync } from 'node:fs';
import type { TaskEvent, TaskState } from '../../../shared/nomad/structs/allocation';
import { sleep } from '../../common/backoff';
import type { Driver, OutputSinks, TaskHandle } from '../drivers/driver';
import { DriverStartError } from '../drivers/driver';
import type { RestartDecision, RestartTracker } from './restart-tracker';
import { taskEvent, TaskEventType, withEvent, ZERO_TIME, type TaskEventFields, type TaskEventTypeName } from './task-events';
import type { TaskDirs } from './task-env';

/**
 * One task's life on the client: Received → Task Setup → Started → Terminated, then Restarting
 * (per the restart policy) or dead; a kill goes Killing → Killed, after the shutdown delay if one
 * is set. Every change is handed to `onChange` with the whole TaskState, which the allocation
 * runner reports to the server.
 */

export interface TaskLogSink extends OutputSinks {
  /** Resolves once everything written so far is shipped. */
  flush(): Promise<void>;
}

export interface TaskRunnerOptions {
  name: string;
  driver: Driver | undefined;
  driverName: string;
  config: Record<string, unknown>;
  env: Record<string, string>;
  dirs: TaskDirs;
  logs: TaskLogSink;
  restarts: RestartTracker;
  onChange: (name: string, state: TaskState) => void;
  now?: () => number;
}

export interface KillOptions {
  killTimeoutMs: number;
  killSignal: string;
  shutdownDelayMs: number;
  /** The event explaining why (sibling failed, leader dead, main tasks dead); none for a stop. */
  cause?: { type: TaskEventTypeName; fields?: TaskEventFields };
}

export class TaskRunner {
  readonly state: TaskState;
  started = false;
  killing = false;
  private handle: TaskHandle | undefined;
  private readonly wake = new AbortController();
  private runLoop: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private killOptions: KillOptions | undefined;

  constructor(private readonly options: TaskRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.state = { State: 'pending', Failed: false, Restarts: 0, LastRestart: ZERO_TIME, StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME, Events: [] };
    this.record(TaskEventType.Received);
  }

  get name(): string {
    return this.options.name;
  }

  get env(): Record<string, string> {
    return this.options.env;
  }

  get dirs(): TaskDirs {
    return this.options.dirs;
  }

  /** Starts the task; `onChange` reports it dead when it is. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.runLoop = this.run();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private record(type: TaskEventTypeName, fields: TaskEventFields = {}, changes: Partial<TaskState> = {}): void {
    const event: TaskEvent = taskEvent(type, fields, this.now() * 1_000_000);
    Object.assign(this.state, changes, { Events: withEvent(this.state.Events, event) });
    if (fields.FailsTask) this.state.Failed = true;
    this.options.onChange(this.options.name, { ...this.state, Events: [...this.state.Events!] });
  }

  private die(type?: TaskEventTypeName, fields: TaskEventFields = {}): void {
    const changes = { State: 'dead', FinishedAt: this.iso() };
    if (type) this.record(type, fields, changes);
    else {
      Object.assign(this.state, changes);
      this.options.onChange(this.options.name, { ...this.state, Events: [...this.state.Events!] });
    }
  }

  private async run(): Promise<void> {
    const { driver, dirs } = this.options;
    this.record(TaskEventType.Setup, { Message: 'Building Task Directory' });
    try {
      for (const dir of [dirs.localDir, dirs.secretsDir, dirs.tmpDir]) mkdirSync(dir, { recursive: true });
    } catch (error) {
      this.die(TaskEventType.SetupFailure, { SetupError: (error as Error).message, FailsTask: true });
      return;
    }
    if (!driver) {
      this.die(TaskEventType.DriverFailure, { DriverError: `failed to start task: driver "${this.options.driverName}" is not enabled on this node`, FailsTask: true });
      return;
    }
    for (;;) {
      if (this.killing) return;
      let decision: RestartDecision;
      try {
        this.handle = await driver.start({
          allocId: this.options.env.NOMAD_ALLOC_ID,
          taskName: this.options.name,
          config: this.options.config,
          env: this.options.env,
          taskDir: dirs.taskDir,
          output: this.options.logs,
        });
      } catch (error) {
        const recoverable = error instanceof DriverStartError && error.recoverable;
        this.record(TaskEventType.DriverFailure, { DriverError: (error as Error).message });
        decision = this.options.restarts.decide({ startError: { recoverable } });
        if (await this.afterExit(decision)) continue;
        return;
      }
      this.record(TaskEventType.Started, {}, { State: 'running', StartedAt: this.iso() });
      // A kill that arrived while the driver was starting the task could not reach it then.
      if (this.killing && this.killOptions) void this.handle.stop(this.killOptions.killTimeoutMs, this.killOptions.killSignal);
      const result = await this.handle.wait();
      await this.options.logs.flush();
      this.record(TaskEventType.Terminated, { ExitCode: result.exitCode, Signal: result.signal, Message: result.error ?? '', OOMKilled: result.oomKilled });
      this.handle = undefined;
      if (this.killing) return;
      decision = this.options.restarts.decide({ exitCode: result.exitCode });
      if (!(await this.afterExit(decision))) return;
    }
  }

  /** Applies a restart decision; true when the task should start again. */
  private async afterExit(decision: RestartDecision): Promise<boolean> {
    if (decision.kind === 'fail') {
      this.die(TaskEventType.NotRestarting, { RestartReason: decision.reason, FailsTask: true });
      return false;
    }
    if (decision.kind === 'done') {
      this.die();
      return false;
    }
    const delayMs = decision.delayNs / 1_000_000;
    this.record(TaskEventType.Restarting, { RestartReason: decision.reason, StartDelay: decision.delayNs }, { State: 'pending' });
    await sleep(delayMs, this.wake.signal);
    if (this.killing) return false;
    Object.assign(this.state, { Restarts: this.state.Restarts + 1, LastRestart: this.iso() });
    return true;
  }

  /** Kills the task (or marks it dead if it never ran); resolves when it is dead. */
  async kill(options: KillOptions): Promise<void> {
    if (this.killing || this.state.State === 'dead') return this.runLoop;
    this.killing = true;
    this.killOptions = options;
    if (options.cause) this.record(options.cause.type, options.cause.fields);
    if (!this.started) {
      this.die(TaskEventType.Killed);
      return;
    }
    if (options.shutdownDelayMs > 0 && this.handle) {
      this.record(TaskEventType.WaitingShutdownDelay, { Message: `Waiting for shutdown_delay of ${options.shutdownDelayMs / 1000}s before killing the task.` });
      await sleep(options.shutdownDelayMs);
    }
    this.record(TaskEventType.Killing, { KillTimeout: options.killTimeoutMs * 1_000_000 });
    this.wake.abort();
    const handle = this.handle;
    if (handle) await handle.stop(options.killTimeoutMs, options.killSignal);
    await this.runLoop;
    this.die(TaskEventType.Killed);
  }
}
