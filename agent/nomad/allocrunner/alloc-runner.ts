import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Allocation, TaskState } from '../../../shared/nomad/structs/allocation';
import type { Job, Service, Task, TaskGroup } from '../../../shared/nomad/structs/job';
import type { ClientAllocUpdate } from '../../../shared/nomad/wire/client-protocol';
import { sleep } from '../../common/backoff';
import { ApiClient } from '../../common/api-client';
import type { Logger } from '../../common/logger';
import type { Driver } from '../drivers/driver';
import type { LogOffsets } from '../logs/log-offsets';
import { allocClientStatus } from './client-status';
import { HealthWatcher } from './health';
import { isEphemeral, lifecycleTask, nextLifecycleSteps, type KillCause, type LifecycleTask, type TaskProgress } from './lifecycle';
import { resolveAllocPorts, type AllocPorts } from './ports';
import { PrestartHooks } from './prestart-hooks';
import { RestartTracker } from './restart-tracker';
import { TaskEventType, type TaskEventFields, type TaskEventTypeName } from './task-events';
import { interpolate, interpolateValue, taskEnv, type NodeFacts, type TaskDirs } from './task-env';
import { TaskRunner, type TaskLogSink, type TaskRecord } from './task-runner';

/**
 * One allocation on this node: lays out its directory (Nomad's layout: `alloc/` shared by the
 * tasks, with `logs/`, and one directory per task), runs its tasks in lifecycle order, stops them
 * when the server says so, registers its services while they run, judges deployment health, and
 * reports every change of its tasks' states. Its `snapshot()` is what the agent's local state
 * keeps, from which a restarted agent's runner (`restored`) takes up the allocation again.
 */
const DEFAULT_KILL_TIMEOUT_MS = 5_000;
const DEFAULT_RESTART = { Attempts: 2, Interval: 30 * 60e9, Delay: 15e9, Mode: 'fail' };

/** What the agent's local state keeps of an allocation. */
export interface AllocRecord {
  alloc: Allocation;
  ports: AllocPorts;
  tasks: Record<string, TaskRecord>;
}

/** The paths an exec task's chroot shows it (Nomad's layout with the task directory as `/`). */
const CHROOT_DIRS: TaskDirs = { allocDir: '/alloc', taskDir: '/', localDir: '/local', secretsDir: '/secrets', tmpDir: '/tmp' };

export interface ServiceSink {
  /** Registers the services of a task (or of the group, when `task` is undefined). */
  register(alloc: Allocation, services: Service[], ports: AllocPorts, env: Record<string, string>, task?: string): Promise<void>;
  deregister(alloc: Allocation, task?: string): Promise<void>;
}

export interface AllocRunnerDeps {
  drivers: Map<string, Driver>;
  node: NodeFacts & { address: string; minPort: number; maxPort: number };
  allocRoot: string;
  baseEnv: Record<string, string>;
  takenPorts: Set<number>;
  report(update: ClientAllocUpdate): void;
  logSink(allocId: string, logDir: string, task: string, from?: LogOffsets): TaskLogSink;
  services: ServiceSink;
  log: Logger;
  /** The control plane, for what templates read (Variables, services). */
  api?: ApiClient;
  now?: () => number;
}

function killCauseEvent(cause: KillCause): { type: TaskEventTypeName; fields?: TaskEventFields } | undefined {
  switch (cause.kind) {
    case 'sibling-failed':
      return { type: TaskEventType.SiblingFailed, fields: { FailedSibling: cause.sibling } };
    case 'leader-dead':
      return { type: TaskEventType.LeaderDead };
    case 'main-dead':
      return { type: TaskEventType.MainDead };
    default:
      return undefined;
  }
}

export class AllocRunner {
  private alloc: Allocation;
  private readonly job: Job;
  private readonly group: TaskGroup;
  private readonly runners = new Map<string, TaskRunner>();
  private readonly states: Record<string, TaskState> = {};
  private readonly lifecycle: LifecycleTask[];
  private ports: AllocPorts = {};
  private stopping = false;
  private health: HealthWatcher | undefined;
  private deploymentHealthy: boolean | undefined;
  private groupServicesUp = false;
  private settled!: () => void;
  /** Resolves when every task is dead. */
  readonly finished = new Promise<void>((resolve) => (this.settled = resolve));

  constructor(
    alloc: Allocation,
    private readonly deps: AllocRunnerDeps,
    private readonly restored?: AllocRecord,
  ) {
    this.alloc = alloc;
    if (!alloc.Job) throw new Error(`allocation ${alloc.ID} came without its job`);
    this.job = alloc.Job;
    const group = this.job.TaskGroups.find((candidate) => candidate.Name === alloc.TaskGroup);
    if (!group) throw new Error(`allocation ${alloc.ID}: job ${this.job.ID} has no group ${alloc.TaskGroup}`);
    this.group = group;
    this.lifecycle = group.Tasks.map(lifecycleTask);
  }

  get id(): string {
    return this.alloc.ID;
  }

  get allocDir(): string {
    return join(this.deps.allocRoot, this.alloc.ID);
  }

  /** The task's runner, for actions run in its environment. */
  task(name: string): TaskRunner | undefined {
    return this.runners.get(name);
  }

  taskSpec(name: string): Task | undefined {
    return this.group.Tasks.find((task) => task.Name === name);
  }

  private dirs(task: string): TaskDirs {
    const taskDir = join(this.allocDir, task);
    return { allocDir: join(this.allocDir, 'alloc'), taskDir, localDir: join(taskDir, 'local'), secretsDir: join(taskDir, 'secrets'), tmpDir: join(taskDir, 'tmp') };
  }

  async start(): Promise<void> {
    const shared = join(this.allocDir, 'alloc');
    for (const dir of ['logs', 'data', 'tmp']) mkdirSync(join(shared, dir), { recursive: true });
    const { node } = this.deps;
    if (this.restored) {
      this.ports = this.restored.ports;
      for (const port of Object.values(this.ports)) this.deps.takenPorts.add(port.value);
    } else {
      this.ports = await resolveAllocPorts(this.alloc, this.group, node.address, { min: node.minPort, max: node.maxPort }, this.deps.takenPorts);
    }
    for (const task of this.group.Tasks) this.runners.set(task.Name, this.createRunner(task));
    for (const runner of this.runners.values()) runner.restore();
    if (this.alloc.DeploymentID) this.watchHealth();
    if (this.restored) this.report();
    this.reconcile();
  }

  /** What the agent's local state keeps of this allocation. */
  snapshot(): AllocRecord {
    const tasks: Record<string, TaskRecord> = {};
    for (const [name, runner] of this.runners) tasks[name] = runner.snapshot();
    return { alloc: this.alloc, ports: this.ports, tasks };
  }

  /** Stops watching the tasks and leaves them running, for the next agent to take up. */
  detach(): void {
    this.stopping = true;
    this.health?.stop();
    for (const runner of this.runners.values()) runner.detach();
  }

  private createRunner(task: Task): TaskRunner {
    const dirs = this.dirs(task.Name);
    const driver = this.deps.drivers.get(task.Driver);
    const env = taskEnv(this.alloc, this.job, this.group, task, driver?.fsIsolation === 'chroot' ? CHROOT_DIRS : dirs, this.ports, this.deps.node, this.deps.baseEnv);
    const resources = this.alloc.AllocatedResources?.Tasks?.[task.Name];
    const restored = this.restored?.tasks[task.Name];
    const policy = task.RestartPolicy ?? this.group.RestartPolicy ?? DEFAULT_RESTART;
    const restartOnSuccess = this.job.Type !== 'batch' && this.job.Type !== 'sysbatch' && !isEphemeral(lifecycleTask(task));
    const hostNetwork = (this.group.Networks ?? []).some((network) => (network.Mode || 'host') === 'host');
    const hooks =
      this.deps.api && ((task.Templates ?? []).length > 0 || (task.Artifacts ?? []).length > 0)
        ? new PrestartHooks({
            task,
            dirs,
            env,
            node: this.deps.node,
            namespace: this.alloc.Namespace || 'default',
            interpolate: (text) => interpolate(text, env, this.deps.node),
            // Templates read as the task's workload (the allocation and task named beside the node's identity).
            api: new ApiClient({ baseUrl: this.deps.api.baseUrl, headers: { ...this.deps.api.headers(), 'X-Nomad-Alloc-ID': this.alloc.ID, 'X-Nomad-Task': task.Name } }),
            driver,
            runner: () => runner,
            kill: { timeoutMs: task.KillTimeout ? task.KillTimeout / 1e6 : DEFAULT_KILL_TIMEOUT_MS, signal: task.KillSignal || 'SIGINT' },
            hostNetwork,
            log: this.deps.log,
          })
        : undefined;
    const runner: TaskRunner = new TaskRunner({
      name: task.Name,
      driver,
      driverName: task.Driver,
      config: interpolateValue(task.Config ?? {}, env, this.deps.node) as Record<string, unknown>,
      env,
      dirs,
      resources: {
        memoryMB: resources?.Memory.MemoryMB ?? task.Resources?.MemoryMB ?? 0,
        memoryMaxMB: resources?.Memory.MemoryMaxMB ?? task.Resources?.MemoryMaxMB ?? 0,
        cpuShares: resources?.Cpu.CpuShares ?? task.Resources?.CPU ?? 0,
      },
      user: task.User ?? '',
      hostNetwork,
      logs: this.deps.logSink(this.alloc.ID, join(this.allocDir, 'alloc', 'logs'), task.Name, restored?.logs),
      restored,
      restarts: new RestartTracker(policy, restartOnSuccess, this.deps.now),
      hooks,
      onChange: (name, state) => this.onTaskChange(name, state),
      now: this.deps.now,
    });
    this.states[task.Name] = runner.state;
    return runner;
  }

  private watchHealth(): void {
    const update = this.group.Update;
    if (!update || update.HealthCheck === 'manual') return;
    this.health = new HealthWatcher(
      update.MinHealthyTime / 1e6,
      update.HealthyDeadline / 1e6,
      (healthy) => {
        this.deploymentHealthy = healthy;
        this.report();
      },
      this.deps.now,
    );
  }

  /** A newer version of the allocation from the server. */
  update(alloc: Allocation): void {
    this.alloc = { ...alloc, Job: this.job };
    if ((alloc.DesiredStatus === 'stop' || alloc.DesiredStatus === 'evict') && !this.stopping) void this.stop();
  }

  /** Stops every task: services come out first, then the group's shutdown delay, then kills. */
  async stop(): Promise<void> {
    if (this.stopping) return this.finished;
    this.stopping = true;
    const hasRunning = Object.values(this.states).some((state) => state.State === 'running');
    await this.deregisterAll();
    const delayMs = this.shutdownDelayMs(this.group.ShutdownDelay);
    if (delayMs > 0 && hasRunning) await sleep(delayMs);
    this.reconcile();
    return this.finished;
  }

  private shutdownDelayMs(delayNs: number | null | undefined): number {
    if (this.alloc.DesiredTransition?.NoShutdownDelay) return 0;
    return (delayNs ?? 0) / 1e6;
  }

  private async deregisterAll(): Promise<void> {
    const tasks = [undefined, ...this.group.Tasks.map((task) => task.Name)];
    this.groupServicesUp = false;
    await Promise.all(tasks.map((task) => this.deps.services.deregister(this.alloc, task).catch((error) => this.deps.log.warn(`deregistering services: ${(error as Error).message}`))));
  }

  private progress(): Record<string, TaskProgress> {
    const progress: Record<string, TaskProgress> = {};
    for (const [name, runner] of this.runners) {
      progress[name] = { started: runner.started, state: runner.state.State as TaskProgress['state'], failed: runner.state.Failed, killing: runner.killing };
    }
    return progress;
  }

  private reconcile(): void {
    // A stop that arrives while start() is still laying out the allocation waits for the runners.
    if (this.runners.size < this.group.Tasks.length) return;
    const steps = nextLifecycleSteps(this.lifecycle, this.progress(), this.stopping);
    for (const name of steps.start) this.runners.get(name)!.start();
    for (const { task, cause } of steps.kill) {
      const spec = this.taskSpec(task)!;
      void this.runners.get(task)!.kill({
        killTimeoutMs: spec.KillTimeout ? spec.KillTimeout / 1e6 : DEFAULT_KILL_TIMEOUT_MS,
        killSignal: spec.KillSignal || 'SIGINT',
        shutdownDelayMs: this.shutdownDelayMs(spec.ShutdownDelay),
        cause: killCauseEvent(cause),
      });
    }
    if (Object.values(this.states).every((state) => state.State === 'dead')) {
      this.health?.stop();
      this.settled();
    }
  }

  private onTaskChange(name: string, state: TaskState): void {
    const before = this.states[name];
    this.states[name] = state;
    const spec = this.taskSpec(name)!;
    if (state.State === 'running' && before?.State !== 'running' && !this.stopping) {
      void this.deps.services.register(this.alloc, spec.Services ?? [], this.ports, this.runners.get(name)?.env ?? {}, name).catch((error) =>
        this.deps.log.warn(`registering services of ${name}: ${(error as Error).message}`),
      );
    }
    if (state.State !== 'running' && before?.State === 'running') {
      void this.deps.services.deregister(this.alloc, name).catch((error) => this.deps.log.warn(`deregistering services of ${name}: ${(error as Error).message}`));
    }
    this.groupServices();
    this.health?.observe(this.watchedStates());
    this.report();
    this.reconcile();
  }

  private watchedStates(): TaskState[] {
    return this.lifecycle.filter((task) => !isEphemeral(task)).map((task) => this.states[task.name]);
  }

  private groupServices(): void {
    const main = this.lifecycle.filter((task) => task.hook === 'main');
    const up = !this.stopping && main.every((task) => this.states[task.name]?.State === 'running');
    if (up && !this.groupServicesUp && (this.group.Services ?? []).length > 0) {
      this.groupServicesUp = true;
      const env = this.runners.get(main[0]?.name ?? '')?.env ?? {};
      void this.deps.services.register(this.alloc, this.group.Services ?? [], this.ports, env).catch((error) =>
        this.deps.log.warn(`registering group services: ${(error as Error).message}`),
      );
    }
  }

  private report(): void {
    const { status, description } = allocClientStatus(this.states);
    this.deps.report({
      ID: this.alloc.ID,
      ClientStatus: status,
      ClientDescription: description,
      TaskStates: { ...this.states },
      DeploymentStatus: this.deploymentHealthy === undefined ? undefined : { Healthy: this.deploymentHealthy, Timestamp: new Date((this.deps.now ?? Date.now)()).toISOString() },
    });
  }

  /** Stops the tasks without reporting (agent shutdown) or removes what is left (garbage collection). */
  async destroy(removeDir: boolean): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.runners.values()].map((runner) => runner.kill({ killTimeoutMs: DEFAULT_KILL_TIMEOUT_MS, killSignal: 'SIGINT', shutdownDelayMs: 0 })));
    this.health?.stop();
    if (removeDir) rmSync(this.allocDir, { recursive: true, force: true });
  }

  /** The allocation as the server last sent it. */
  get allocation(): Allocation {
    return this.alloc;
  }

  /** Every task is dead (the allocation may be garbage-collected). */
  get done(): boolean {
    return this.runners.size > 0 && Object.values(this.states).every((state) => state.State === 'dead');
  }

  get taskNames(): string[] {
    return this.group.Tasks.map((task) => task.Name);
  }

  /** Whether the allocation should still run: wanted by the server and not finished here (Nomad refuses restarts otherwise). */
  get shouldRun(): boolean {
    return !this.stopping && this.alloc.DesiredStatus === 'run' && !this.done;
  }

  /** How a task is killed: its kill_timeout and kill_signal. */
  killOf(task: string): { timeoutMs: number; signal: string } {
    const spec = this.taskSpec(task);
    return { timeoutMs: spec?.KillTimeout ? spec.KillTimeout / 1e6 : DEFAULT_KILL_TIMEOUT_MS, signal: spec?.KillSignal || 'SIGINT' };
  }

  /** Interpolates a service or action field in a task's environment. */
  interpolate(text: string, task: string): string {
    return interpolate(text, this.runners.get(task)?.env ?? {}, this.deps.node);
  }
}
