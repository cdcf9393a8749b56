import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../agent/common/logger';
import { isAlive } from '../../../../agent/common/proc-stat';
import { AllocRunner, type AllocRunnerDeps } from '../../../../agent/nomad/allocrunner/alloc-runner';
import type { TaskLogSink } from '../../../../agent/nomad/allocrunner/task-runner';
import { createDrivers, detectDriverHost } from '../../../../agent/nomad/drivers/registry';
import type { ClientAllocUpdate } from '../../../../shared/nomad/wire/client-protocol';

/**
 * An allocation runner taking up what a previous agent's runner left, from its snapshot (as the
 * local state keeps it), with real raw_exec processes: a running task is watched again with no
 * new event, a stop reaches it, and a task that ended in between is reported with its exit code.
 */
const root = mkdtempSync(join(tmpdir(), 'alloc-restore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NODE = { id: 'node-1', name: 'n1', datacenter: 'dc1', nodeClass: '', nodePool: 'default', region: 'global', attributes: {}, meta: {}, address: '127.0.0.1', minPort: 20000, maxPort: 32000 };

function alloc(id: string, type: string, script: string) {
  const task = { Name: 't', Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', script] }, Env: null, Services: null, Lifecycle: null, Leader: false, KillTimeout: 5e9, KillSignal: 'SIGTERM', ShutdownDelay: 0, Actions: null, Resources: { CPU: 100, MemoryMB: 64 } };
  const group = { Name: 'app', Tasks: [task], RestartPolicy: { Attempts: 0, Interval: 60e9, Delay: 10e6, Mode: 'fail' }, Networks: null, Services: null, ShutdownDelay: null, Update: null, Meta: null };
  return { ID: id, Name: 'job.app[0]', Namespace: 'default', JobID: 'job', TaskGroup: 'app', DesiredStatus: 'run', ClientStatus: 'pending', DesiredTransition: {}, DeploymentID: '', AllocatedResources: { Tasks: {}, Shared: { Ports: null } }, Job: { ID: 'job', Name: 'job', Type: type, Meta: null, TaskGroups: [group] } } as any;
}

/** Log files only, as the log shipper's sinks are without the shipping. */
function fileSink(logDir: string, task: string): TaskLogSink {
  const files = { stdout: join(logDir, `${task}.stdout.0`), stderr: join(logDir, `${task}.stderr.0`) };
  return { files, stdout: (chunk) => appendFileSync(files.stdout, chunk), stderr: (chunk) => appendFileSync(files.stderr, chunk), flush: async () => undefined, offsets: () => ({ stdout: 0, stderr: 0 }) };
}

function harness() {
  const updates: ClientAllocUpdate[] = [];
  const deps: AllocRunnerDeps = {
    drivers: createDrivers(['raw_exec'], detectDriverHost()),
    node: NODE,
    allocRoot: root,
    baseEnv: { PATH: '/usr/bin:/bin' },
    takenPorts: new Set<number>(),
    report: (update) => void updates.push(structuredClone(update)),
    logSink: (_allocId, logDir, task) => fileSink(logDir, task),
    services: { register: async () => undefined, deregister: async () => undefined },
    log: createLogger('error'),
  };
  const last = () => updates[updates.length - 1];
  return { deps, updates, last, events: () => (last()?.TaskStates?.t.Events ?? []).map((event) => event.Type) };
}

describe('an allocation taken up from the local state', () => {
  it('watches its running task again without an event, and stops it when the server says so', async () => {
    const spec = alloc('a-running', 'service', 'echo up; while :; do sleep 0.1; done');
    const before = harness();
    const first = new AllocRunner(spec, before.deps);
    await first.start();
    await expect.poll(() => before.last()?.ClientStatus).toBe('running');
    const record = JSON.parse(JSON.stringify(first.snapshot()));
    first.detach();
    const { pid, startTime } = record.tasks.t.handle;
    expect(isAlive(pid, startTime)).toBe(true);

    const after = harness();
    const second = new AllocRunner(spec, after.deps, record);
    await second.start();
    expect(after.last()).toMatchObject({ ClientStatus: 'running', TaskStates: { t: { State: 'running', Restarts: 0 } } });
    expect(after.events()).toEqual(['Received', 'Task Setup', 'Started']);
    expect(second.snapshot().tasks.t.handle).toMatchObject({ pid, startTime });

    second.update({ ...spec, DesiredStatus: 'stop' });
    await second.finished;
    expect(after.last().ClientStatus).toBe('complete');
    expect(after.events().slice(-3)).toEqual(['Killing', 'Terminated', 'Killed']);
    expect(after.last().TaskStates!.t.Events!.find((event) => event.Type === 'Terminated')).toMatchObject({ Signal: 15 });
    expect(isAlive(pid, startTime)).toBe(false);
  });

  it('reports a task that ended while no runner watched it with its real exit code, then applies the restart policy', async () => {
    const spec = alloc('a-ended', 'batch', 'echo working; sleep 0.5; exit 4');
    const before = harness();
    const first = new AllocRunner(spec, before.deps);
    await first.start();
    await expect.poll(() => before.last()?.ClientStatus).toBe('running');
    const record = JSON.parse(JSON.stringify(first.snapshot()));
    first.detach();
    await expect.poll(() => isAlive(record.tasks.t.handle.pid, record.tasks.t.handle.startTime), { timeout: 10_000 }).toBe(false);

    const after = harness();
    const second = new AllocRunner(spec, after.deps, record);
    await second.start();
    await second.finished;
    expect(after.last()).toMatchObject({ ClientStatus: 'failed', TaskStates: { t: { State: 'dead', Failed: true } } });
    expect(after.events()).toEqual(['Received', 'Task Setup', 'Started', 'Terminated', 'Not Restarting']);
    expect(after.last().TaskStates!.t.Events![3]).toMatchObject({ ExitCode: 4, Signal: 0 });
    expect(readFileSync(join(root, 'a-ended', 'alloc/logs/t.stdout.0'), 'utf8')).toBe('working\n');
  });
});
