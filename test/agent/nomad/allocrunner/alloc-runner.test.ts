import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AllocRunner, type ServiceSink } from '../../../../agent/nomad/allocrunner/alloc-runner';
import { createLogger } from '../../../../agent/common/logger';
import { createDrivers } from '../../../../agent/nomad/drivers/registry';
import type { ClientAllocUpdate } from '../../../../shared/nomad/wire/client-protocol';

/**
 * The allocation runner's state machine on the mock driver: task events, restarts, lifecycle
 * order, stops with kill timeouts and shutdown delays, deployment health, and what it reports.
 */
const root = mkdtempSync(join(tmpdir(), 'agent-runner-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NODE = { id: 'node-1', name: 'n1', datacenter: 'dc1', nodeClass: '', nodePool: 'default', region: 'global', attributes: {}, meta: {}, address: '127.0.0.1', minPort: 20000, maxPort: 32000 };

function task(name: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { Name: name, Driver: 'mock_driver', Config: config, Env: null, Services: null, Lifecycle: null, Leader: false, KillTimeout: 1e9, KillSignal: '', ShutdownDelay: 0, Actions: null, Resources: { CPU: 100, MemoryMB: 64 }, ...extra };
}

function alloc(id: string, type: string, tasks: any[], group: Record<string, unknown> = {}, fields: Record<string, unknown> = {}) {
  const restart = { Attempts: 2, Interval: 60e9, Delay: 10e6, Mode: 'fail' };
  return {
    ID: id,
    Name: `job.app[0]`,
    Namespace: 'default',
    JobID: 'job',
    TaskGroup: 'app',
    DesiredStatus: 'run',
    ClientStatus: 'pending',
    DesiredTransition: {},
    DeploymentID: '',
    AllocatedResources: { Tasks: {}, Shared: { Ports: null } },
    Job: { ID: 'job', Name: 'job', Type: type, Meta: null, TaskGroups: [{ Name: 'app', Tasks: tasks, RestartPolicy: restart, Networks: null, Services: null, ShutdownDelay: null, Update: null, Meta: null, ...group }] },
    ...fields,
  } as any;
}

function harness(services: ServiceSink = { register: async () => undefined, deregister: async () => undefined }) {
  const updates: ClientAllocUpdate[] = [];
  const output: string[] = [];
  const deps = {
    drivers: createDrivers(['mock_driver']),
    node: NODE,
    allocRoot: root,
    baseEnv: {},
    takenPorts: new Set<number>(),
    report: (update: ClientAllocUpdate): void => void updates.push(structuredClone(update)),
    logSink: () => ({ stdout: (chunk: Buffer) => output.push(chunk.toString()), stderr: () => undefined, flush: async () => undefined }),
    services,
    log: createLogger('error'),
  };
  const last = () => updates[updates.length - 1];
  const events = (name: string) => (last().TaskStates![name].Events ?? []).map((event) => event.Type);
  return { deps, updates, output, last, events };
}

describe('allocation runner on mock_driver', () => {
  it('runs a batch task to completion with Nomad events', async () => {
    const h = harness();
    const runner = new AllocRunner(alloc('a-batch', 'batch', [task('t', { run_for: '20ms', stdout_string: 'hello\n' })]), h.deps);
    await runner.start();
    await runner.finished;
    expect(h.last()).toMatchObject({ ClientStatus: 'complete', ClientDescription: 'All tasks have completed' });
    expect(h.last().TaskStates!.t).toMatchObject({ State: 'dead', Failed: false, Restarts: 0 });
    expect(h.events('t')).toEqual(['Received', 'Task Setup', 'Started', 'Terminated']);
    expect(h.updates.some((u) => u.ClientStatus === 'running')).toBe(true);
    expect(h.output.join('')).toBe('hello\n');
  });

  it('restarts a failing task per policy and then fails the allocation', async () => {
    const h = harness();
    const runner = new AllocRunner(alloc('a-fail', 'batch', [task('t', { run_for: '5ms', exit_code: 3 })]), h.deps);
    await runner.start();
    await runner.finished;
    const state = h.last().TaskStates!.t;
    expect(h.last().ClientStatus).toBe('failed');
    expect(state).toMatchObject({ State: 'dead', Failed: true, Restarts: 2 });
    expect(h.events('t').slice(-4)).toEqual(['Restarting', 'Started', 'Terminated', 'Not Restarting']);
    expect(state.Events!.at(-1)).toMatchObject({ DisplayMessage: 'Exceeded allowed attempts 2 in interval 1m0s and mode is "fail"', FailsTask: true });
    expect(state.Events!.find((e) => e.Type === 'Terminated')).toMatchObject({ ExitCode: 3, DisplayMessage: 'Exit Code: 3' });
  });

  it('fails at once on an unrecoverable start error', async () => {
    const h = harness();
    const runner = new AllocRunner(alloc('a-start', 'service', [task('t', { start_error: 'boom' })]), h.deps);
    await runner.start();
    await runner.finished;
    expect(h.last().ClientStatus).toBe('failed');
    expect(h.events('t')).toEqual(['Received', 'Task Setup', 'Driver Failure', 'Not Restarting']);
    expect(h.last().TaskStates!.t.Events![2]).toMatchObject({ DriverError: 'boom', DisplayMessage: 'boom' });
  });

  it('stops a running service on request: shutdown delay, Killing with the kill timeout, Killed', async () => {
    const seen: string[] = [];
    const h = harness({ register: async (_a, services) => void seen.push(`register ${services.length}`), deregister: async (_a, t) => void seen.push(`deregister ${t ?? 'group'}`) });
    const spec = alloc('a-stop', 'service', [task('t', { kill_after: '10ms' }, { ShutdownDelay: 30e6, Services: [{ Name: 's', Provider: 'nomad', PortLabel: '' }] })]);
    const runner = new AllocRunner(spec, h.deps);
    await runner.start();
    await expect.poll(() => h.last().ClientStatus, { timeout: 30_000 }).toBe('running');
    const started = Date.now();
    runner.update({ ...spec, DesiredStatus: 'stop' });
    await runner.finished;
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
    expect(h.last().ClientStatus).toBe('complete');
    expect(h.events('t')).toEqual(['Received', 'Task Setup', 'Started', 'Waiting for shutdown delay', 'Killing', 'Terminated', 'Killed']);
    expect(h.last().TaskStates!.t.Events!.find((e) => e.Type === 'Killing')!.DisplayMessage).toBe('Sent interrupt. Waiting 1s before force killing');
    // Services come out before the shutdown delay; the task's own exit deregisters (idempotently) again.
    expect(seen).toEqual(['register 1', 'deregister group', 'deregister t', 'deregister t']);
  });

  it('orders prestart, main, poststart and poststop tasks and kills the sidecar when main ends', async () => {
    const h = harness();
    const order: string[] = [];
    const tasks = [
      task('main', { run_for: '40ms' }),
      task('init', { run_for: '10ms' }, { Lifecycle: { Hook: 'prestart', Sidecar: false } }),
      task('proxy', {}, { Lifecycle: { Hook: 'prestart', Sidecar: true } }),
      task('announce', { run_for: '5ms' }, { Lifecycle: { Hook: 'poststart', Sidecar: false } }),
      task('cleanup', { run_for: '5ms' }, { Lifecycle: { Hook: 'poststop', Sidecar: false } }),
    ];
    h.deps.report = (update) => {
      for (const [name, state] of Object.entries(update.TaskStates ?? {})) {
        const key = `${name}:${state.State}`;
        if (state.Events?.at(-1)?.Type === 'Started' && !order.includes(key)) order.push(key);
      }
      h.updates.push(structuredClone(update));
    };
    const runner = new AllocRunner(alloc('a-life', 'batch', tasks), h.deps);
    await runner.start();
    await runner.finished;
    // The two prestart tasks start together, in either order; each of the others once, after them.
    expect(order).toHaveLength(5);
    expect(order.slice(0, 2).sort()).toEqual(['init:running', 'proxy:running']);
    expect(order.slice(2)).toEqual(['main:running', 'announce:running', 'cleanup:running']);
    expect(h.events('proxy')).toContain('Main Tasks Dead');
    expect(h.last().ClientStatus).toBe('complete');
  });

  it('kills the siblings of a failed task', async () => {
    const h = harness();
    const tasks = [task('bad', { run_for: '5ms', exit_code: 1 }, { RestartPolicy: { Attempts: 0, Interval: 60e9, Delay: 0, Mode: 'fail' } }), task('good', {})];
    const runner = new AllocRunner(alloc('a-sib', 'service', tasks), h.deps);
    await runner.start();
    await runner.finished;
    expect(h.last().ClientStatus).toBe('failed');
    expect(h.events('good')).toContain('Sibling Task Failed');
    expect(h.last().TaskStates!.good).toMatchObject({ State: 'dead', Failed: false });
  });

  it('reports deployment health after MinHealthyTime of running', async () => {
    const h = harness();
    const update = { HealthCheck: 'task_states', MinHealthyTime: 50e6, HealthyDeadline: 5e9, MaxParallel: 1 };
    const spec = alloc('a-health', 'service', [task('t', {})], { Update: update }, { DeploymentID: 'dep-1' });
    const runner = new AllocRunner(spec, h.deps);
    const started = Date.now();
    await runner.start();
    await expect.poll(() => h.last().DeploymentStatus?.Healthy, { timeout: 30_000 }).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(h.updates.filter((u) => u.ClientStatus === 'running' && !u.DeploymentStatus).length).toBeGreaterThan(0);
    await runner.destroy(false);
  });
});
