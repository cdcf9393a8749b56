import { mkdirSync } from 'node:fs';
import type { TaskEvent, TaskState } from '../../../shared/nomad/structs/allocation';
import { sleep } from '../../common/backoff';
import type { TaskLimits } from '../cgroups/cgroups';
import type { Driver, OutputSinks, TaskHandle } from '../drivers/driver';
import { DriverStartError } from '../drivers/driver';
import type { LogOffsets } from '../logs/log-offsets';
import type { RestartDecision, RestartTracker } from './restart-tracker';
import { taskEvent, TaskEventType, withEvent, ZERO_TIME, type TaskEventFields, type TaskEventTypeName } from './task-events';
import type { TaskDirs } from './task-env';
import { PrestartFailure, type TaskHooks } from './task-hooks';

/**
 * One task's life on the client: Received → Task Setup → Started → Terminated, then Restarting
 * (per the restart policy) or dead; a kill goes Killing → Killed, after the shutdown delay if one
 * is set. Every change is handed to `onChange` with the whole TaskState, which the allocation
 * runner reports to the server.
 *
 * A task a previous agent ran (`restored`) carries on from its saved state: still running, it
 * is watched again without an event; gone while the agent was away, it ends as it really did
 * (Terminated with its exit code, then the restart policy); one the driver cannot find again is
 * started anew, as Nomad's client does when a driver cannot recover a task.
 */

export interface TaskLogSink extends OutputSinks {
  /** The files the task's processes write to; absent for a sink that only takes output chunks. */
  files?: { stdout: string; stderr: string };
  /** Resolves once everything written so far is shipped. */
  flush(): Promise<void>;
  /** How far each file is shipped. */
  offsets?(): LogOffsets;
}

/** What the agent's local state keeps of a task, to find it again after a restart. */
export interface TaskRecord {
  state: TaskState;
  /** The driver's handle state of the running task. */
  handle?: Record<string, unknown>;
  logs?: LogOffsets;
}

export interface TaskRunnerOptions {
  name: string;
  driver: Driver | undefined;
  driverName: string;
  config: Record<string, unknown>;
  env: Record<string, string>;
  /** The task's directories on the host (its environment may name them as its chroot sees them). */
  dirs: TaskDirs;
  resources: TaskLimits;
  user: string;
  hostNetwork: boolean;
  logs: TaskLogSink;
  restored?: TaskRecord;
  restarts: RestartTracker;
  /** Artifacts and templates, run before each start. */
  hooks?: TaskHooks;
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
  private detached = false;
  /** A user asked for a restart: the next exit restarts at once, outside the restart policy. */
  private restartTriggered = false;

  constructor(private readonly options: TaskRunnerOptions) {
    this.now = options.now ?? Date.now;
    if (options.restored) {
      this.state = { ...options.restored.state, Events: [...(options.restored.state.Events ?? [])] };
      return;
    }
    this.state = { State: 'pending', Failed: false, Restarts: 0, LastRestart: ZERO_TIME, StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME, Events: [] };
    this.record(TaskEventType.Received);
  }

  /** What the agent's local state keeps of this task. */
  snapshot(): TaskRecord {
    return { state: { ...this.state, Events: [...(this.state.Events ?? [])] }, handle: this.handle?.state, logs: this.options.logs.offsets?.() };
  }

  /** Takes up a restored task where the previous agent left it; a task that never started is left to the lifecycle. */
  restore(): void {
    const restored = this.options.restored;
    if (!restored || this.started) return;
    const { State, StartedAt } = this.state;
    if (State === 'dead') {
      this.started = StartedAt !== ZERO_TIME;
      return;
    }
    if (State === 'pending' && StartedAt === ZERO_TIME) return;
    this.started = true;
    const recovered = restored.handle && State === 'running' ? this.options.driver?.recover(restored.handle) : undefined;
    this.runLoop = this.run(recovered);
  }

  /** Leaves the task running and stops watching it (the agent is exiting). */
  detach(): void {
    this.options.hooks?.stop();
    this.detached = true;
    this.wake.abort();
    this.handle?.detach?.();
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

  /** An event a hook raises (artifacts, templates), without a change of state. */
  emit(type: TaskEventTypeName, fields: TaskEventFields = {}): void {
    this.record(type, fields);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private record(type: TaskEventTypeName, fields: TaskEventFields = {}, changes: Partial<TaskState> = {}): void {
    if (this.detached) return;
    const event: TaskEvent = taskEvent(type, fields, this.now() * 1_000_000);
    Object.assign(this.state, changes, { Events: withEvent(this.state.Events, event) });
    if (fields.FailsTask) this.state.Failed = true;
    this.options.onChange(this.options.name, { ...this.state, Events: [...this.state.Events!] });
  }

  private die(type?: TaskEventTypeName, fields: TaskEventFields = {}): void {
    if (this.detached) return;
    this.options.hooks?.stop();
    const changes = { State: 'dead', FinishedAt: this.iso() };
    if (type) this.record(type, fields, changes);
    else {
      Object.assign(this.state, changes);
      this.options.onChange(this.options.name, { ...this.state, Events: [...this.state.Events!] });
    }
  }

  private async run(recovered?: TaskHandle, again = false): Promise<void> {
    const { driver, dirs } = this.options;
    if (!recovered && !again) {
      this.record(TaskEventType.Setup, { Message: 'Building Task Directory' });
      try {
        for (const dir of [dirs.localDir, dirs.secretsDir, dirs.tmpDir]) mkdirSync(dir, { recursive: true });
      } catch (error) {
        this.die(TaskEventType.SetupFailure, { SetupError: (error as Error).message, FailsTask: true });
        return;
      }
    }
    if (!driver) {
      this.die(TaskEventType.DriverFailure, { DriverError: `failed to start task: driver "${this.options.driverName}" is not enabled on this node`, FailsTask: true });
      return;
    }
    for (;;) {
      if (this.killing || this.detached) return;
      let decision: RestartDecision;
      if (recovered) {
        this.handle = recovered;
        recovered = undefined;
        this.options.hooks?.restored?.();
      } else {
        let hookEnv: Record<string, string> = {};
        try {
          hookEnv = (await this.options.hooks?.prestart(this.wake.signal)) ?? {};
        } catch (error) {
          if (this.killing || this.detached) return;
          if (!(error instanceof PrestartFailure)) throw error;
          this.record(error.event.type, error.event.fields);
          if (error.outcome === 'kill') {
            this.killing = true;
            this.die(TaskEventType.Killed);
            return;
          }
          decision = this.options.restarts.decide({ startError: { recoverable: true } });
          if (await this.afterExit(decision)) continue;
          return;
        }
        if (this.killing || this.detached) return;
        try {
          this.handle = await driver.start({
            allocId: this.options.env.NOMAD_ALLOC_ID,
            taskName: this.options.name,
            config: this.options.config,
            env: { ...this.options.env, ...hookEnv },
            taskDir: dirs.taskDir,
            allocDir: dirs.allocDir,
            logFiles: this.options.logs.files,
            output: this.options.logs,
            resources: this.options.resources,
            user: this.options.user,
            hostNetwork: this.options.hostNetwork,
          });
        } catch (error) {
          const recoverable = error instanceof DriverStartError && error.recoverable;
          this.record(TaskEventType.DriverFailure, { DriverError: (error as Error).message });
          decision = this.options.restarts.decide({ startError: { recoverable } });
          if (await this.afterExit(decision)) continue;
          return;
        }
        if (this.detached) return this.handle.detach?.();
        this.record(TaskEventType.Started, {}, { State: 'running', StartedAt: this.iso() });
      }
      // A kill that arrived while the driver was starting the task could not reach it then.
      if (this.killing && this.killOptions) void this.handle.stop(this.killOptions.killTimeoutMs, this.killOptions.killSignal);
      const result = await this.handle.wait();
      await this.options.logs.flush();
      this.record(TaskEventType.Terminated, { ExitCode: result.exitCode, Signal: result.signal, Message: result.error ?? '', OOMKilled: result.oomKilled });
      this.handle = undefined;
      if (this.killing) return;
      decision = this.takeRestartTrigger() ?? this.options.restarts.decide({ exitCode: result.exitCode });
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
    if (this.killing || this.detached) return false;
    Object.assign(this.state, { Restarts: this.state.Restarts + 1, LastRestart: this.iso() });
    return true;
  }

  /** The running task's driver state (its processes and cgroup), for stats. */
  get handleState(): Record<string, unknown> | undefined {
    return this.handle?.state;
  }

  /** Nomad's restart tracker answers a triggered restart with "restart now", counting no attempt. */
  private takeRestartTrigger(): RestartDecision | undefined {
    if (!this.restartTriggered) return undefined;
    this.restartTriggered = false;
    return { kind: 'restart', delayNs: 0, reason: '' };
  }

  /** Sends a signal to the running task (`Signaling` event); false when it is not running. */
  signal(signal: string, event: { type: TaskEventTypeName; fields?: TaskEventFields }): boolean {
    const handle = this.handle;
    if (!handle || this.killing || this.detached) return false;
    this.record(event.type, event.fields);
    handle.sendSignal?.(signal);
    return true;
  }

  /**
   * Restarts the task in place: the event, then a kill as for a stop, and the run loop starts it
   * again at once (Terminated, Restarting in 0s, Started). A dead task is run again only when
   * `force` (restart of all tasks) asks for it. False when the task is not in a state to restart
   * (Nomad's "Task not running").
   */
  async restart(event: { type: TaskEventTypeName; fields?: TaskEventFields }, kill: { timeoutMs: number; signal: string }, force: boolean): Promise<boolean> {
    if (this.killing || this.detached || !this.started) return false;
    if (this.state.State === 'dead') {
      if (!force) return false;
      this.record(event.type, event.fields);
      this.restartTriggered = false;
      this.runLoop = this.afterExit({ kind: 'restart', delayNs: 0, reason: '' }).then((again) => (again ? this.run(undefined, true) : undefined));
      return true;
    }
    if (this.state.State !== 'running' || !this.handle) return false;
    this.record(event.type, event.fields);
    this.restartTriggered = true;
    // As Nomad's, the call returns once the old process has exited.
    await this.handle.stop(kill.timeoutMs, kill.signal);
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
