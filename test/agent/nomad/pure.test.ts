import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../agent/common/backoff';
import { formatGoDuration } from '../../../agent/common/go-duration';
import { allocClientStatus } from '../../../agent/nomad/allocrunner/client-status';
import { lifecycleTask, nextLifecycleSteps, type TaskProgress } from '../../../agent/nomad/allocrunner/lifecycle';
import { RestartTracker } from '../../../agent/nomad/allocrunner/restart-tracker';
import { interpolate, taskEnv } from '../../../agent/nomad/allocrunner/task-env';
import { taskEvent, TaskEventType } from '../../../agent/nomad/allocrunner/task-events';
import { parseNomadAgentArgs } from '../../../agent/nomad/config';
import { stoppedWhileAway } from '../../../agent/nomad/allocrunner/stopped-while-away';
import { nodeRegistration, type HostFacts } from '../../../agent/nomad/fingerprint';
import { registrationId, serviceRegistrations } from '../../../agent/nomad/services/service-registrar';
import { FRAME_BYTES, logFileName, logFrames } from '../../../shared/nomad/wire/log-frames';

const policy = { Attempts: 2, Interval: 60e9, Delay: 1e9, Mode: 'fail' };

describe('Go durations', () => {
  it('formats as time.Duration.String does', () => {
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(5e9)).toBe('5s');
    expect(formatGoDuration(15.2e9)).toBe('15.2s');
    expect(formatGoDuration(30 * 60e9)).toBe('30m0s');
    expect(formatGoDuration(3723.5e9)).toBe('1h2m3.5s');
    expect(formatGoDuration(150e6)).toBe('150ms');
  });
});

describe('backoff', () => {
  it('grows exponentially up to the ceiling, with full jitter', () => {
    const options = { baseMs: 100, maxMs: 1000, random: () => 1 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, { ...options, random: () => 0.5 })).toBe(200);
  });
});

describe('restart tracker', () => {
  it('does not restart a batch task that succeeded', () => {
    expect(new RestartTracker(policy, false).decide({ exitCode: 0 })).toEqual({ kind: 'done', reason: 'Restart unnecessary as task terminated successfully' });
  });

  it('restarts a service task even after a successful exit', () => {
    expect(new RestartTracker(policy, true, Date.now, () => 0).decide({ exitCode: 0 })).toEqual({ kind: 'restart', delayNs: 1e9, reason: 'Restart within policy' });
  });

  it('allows Attempts restarts per interval with up to 25% jitter, then fails in mode fail', () => {
    const tracker = new RestartTracker(policy, false, () => 0, () => 1);
    expect(tracker.decide({ exitCode: 1 })).toEqual({ kind: 'restart', delayNs: 1.25e9, reason: 'Restart within policy' });
    expect(tracker.decide({ exitCode: 1 }).kind).toBe('restart');
    expect(tracker.decide({ exitCode: 1 })).toEqual({ kind: 'fail', reason: 'Exceeded allowed attempts 2 in interval 1m0s and mode is "fail"' });
  });

  it('starts counting afresh in a new interval', () => {
    let now = 0;
    const tracker = new RestartTracker({ ...policy, Attempts: 1 }, false, () => now, () => 0);
    expect(tracker.decide({ exitCode: 1 }).kind).toBe('restart');
    now = 61_000;
    expect(tracker.decide({ exitCode: 1 }).kind).toBe('restart');
  });

  it('waits out the interval in mode delay', () => {
    let now = 0;
    const tracker = new RestartTracker({ ...policy, Attempts: 1, Mode: 'delay' }, false, () => now, () => 0);
    tracker.decide({ exitCode: 1 });
    now = 10_000;
    expect(tracker.decide({ exitCode: 1 })).toEqual({ kind: 'restart', delayNs: 50e9, reason: 'Exceeded allowed attempts, applying a delay' });
  });

  it('fails at once on an unrecoverable start error or when no restarts are allowed', () => {
    expect(new RestartTracker(policy, true).decide({ startError: { recoverable: false } })).toEqual({ kind: 'fail', reason: 'Error was unrecoverable' });
    expect(new RestartTracker({ ...policy, Attempts: 0 }, false).decide({ exitCode: 3 })).toEqual({ kind: 'fail', reason: 'Policy allows no restarts' });
    expect(new RestartTracker(policy, true, Date.now, () => 0).decide({ startError: { recoverable: true } }).kind).toBe('restart');
  });
});

describe('task events', () => {
  it('carries Nomad display messages and details', () => {
    expect(taskEvent(TaskEventType.Received, {}, 1).DisplayMessage).toBe('Task received by client');
    const terminated = taskEvent(TaskEventType.Terminated, { ExitCode: 2, Signal: 15 }, 1);
    expect(terminated).toMatchObject({ Type: 'Terminated', Time: 1, ExitCode: 2, DisplayMessage: 'Exit Code: 2, Signal: 15', Details: { exit_code: '2', signal: '15' } });
    expect(taskEvent(TaskEventType.Killing, { KillTimeout: 5e9 }).DisplayMessage).toBe('Sent interrupt. Waiting 5s before force killing');
    expect(taskEvent(TaskEventType.Restarting, { StartDelay: 15.2e9, RestartReason: 'Restart within policy' }).DisplayMessage).toBe('Task restarting in 15.2s');
    expect(taskEvent(TaskEventType.Restarting, { StartDelay: 1e9, RestartReason: 'Exceeded allowed attempts, applying a delay' }).DisplayMessage).toBe(
      'Exceeded allowed attempts, applying a delay - Task restarting in 1s',
    );
    expect(taskEvent(TaskEventType.SiblingFailed, { FailedSibling: 'db' }).DisplayMessage).toBe('Task\'s sibling "db" failed');
    expect(taskEvent(TaskEventType.NotRestarting, { RestartReason: 'Policy allows no restarts', FailsTask: true }).Details).toEqual({
      restart_reason: 'Policy allows no restarts',
      fails_task: 'true',
    });
  });
});

describe('allocation client status', () => {
  const state = (State: string, Failed = false) => ({ State, Failed, Restarts: 0, LastRestart: null, StartedAt: null, FinishedAt: null, Events: [] });
  it('follows Nomad: failed, then running, then pending, else complete', () => {
    expect(allocClientStatus({ a: state('dead', true), b: state('running') }).status).toBe('failed');
    expect(allocClientStatus({ a: state('running'), b: state('pending') })).toEqual({ status: 'running', description: 'Tasks are running' });
    expect(allocClientStatus({ a: state('pending'), b: state('dead') }).status).toBe('pending');
    expect(allocClientStatus({ a: state('dead'), b: state('dead') })).toEqual({ status: 'complete', description: 'All tasks have completed' });
  });
});

describe('task lifecycle ordering', () => {
  const tasks = [
    lifecycleTask({ Name: 'init', Lifecycle: { Hook: 'prestart', Sidecar: false }, Leader: false }),
    lifecycleTask({ Name: 'proxy', Lifecycle: { Hook: 'prestart', Sidecar: true }, Leader: false }),
    lifecycleTask({ Name: 'main', Lifecycle: null, Leader: false }),
    lifecycleTask({ Name: 'announce', Lifecycle: { Hook: 'poststart', Sidecar: false }, Leader: false }),
    lifecycleTask({ Name: 'cleanup', Lifecycle: { Hook: 'poststop', Sidecar: false }, Leader: false }),
  ];
  const p = (state: TaskProgress['state'], started = state !== 'pending', failed = false): TaskProgress => ({ started, state, failed, killing: false });
  const fresh = { init: p('pending'), proxy: p('pending'), main: p('pending'), announce: p('pending'), cleanup: p('pending') };

  it('starts prestart tasks first, main once they are done or up, then poststart', () => {
    expect(nextLifecycleSteps(tasks, fresh, false)).toEqual({ start: ['init', 'proxy'], kill: [] });
    const prestartRunning = { ...fresh, init: p('running'), proxy: p('running') };
    expect(nextLifecycleSteps(tasks, prestartRunning, false).start).toEqual([]);
    const prestartDone = { ...fresh, init: p('dead'), proxy: p('running') };
    expect(nextLifecycleSteps(tasks, prestartDone, false).start).toEqual(['main']);
    expect(nextLifecycleSteps(tasks, { ...prestartDone, main: p('running') }, false).start).toEqual(['announce']);
  });

  it('kills the sidecars when the main tasks are dead, then runs poststop', () => {
    const mainDone = { ...fresh, init: p('dead'), proxy: p('running'), main: p('dead'), announce: p('dead') };
    expect(nextLifecycleSteps(tasks, mainDone, false)).toEqual({ start: [], kill: [{ task: 'proxy', cause: { kind: 'main-dead' } }] });
    expect(nextLifecycleSteps(tasks, { ...mainDone, proxy: p('dead') }, false)).toEqual({ start: ['cleanup'], kill: [] });
  });

  it('kills the siblings of a failed task and never starts what waited on it', () => {
    const failed = { ...fresh, init: p('dead', true, true), proxy: p('running') };
    expect(nextLifecycleSteps(tasks, failed, false)).toEqual({
      start: [],
      kill: ['proxy', 'main', 'announce'].map((task) => ({ task, cause: { kind: 'sibling-failed', sibling: 'init' } })),
    });
  });

  it('kills everything on a stop and a dead leader kills the rest', () => {
    const running = { ...fresh, init: p('dead'), proxy: p('running'), main: p('running'), announce: p('running') };
    expect(nextLifecycleSteps(tasks, running, true).kill.map((k) => k.task)).toEqual(['proxy', 'main', 'announce']);
    const leader = [lifecycleTask({ Name: 'a', Lifecycle: null, Leader: true }), lifecycleTask({ Name: 'b', Lifecycle: null, Leader: false })];
    expect(nextLifecycleSteps(leader, { a: p('dead'), b: p('running') }, false).kill).toEqual([{ task: 'b', cause: { kind: 'leader-dead' } }]);
  });
});

const node = { id: 'node-1', name: 'n1', datacenter: 'dc1', nodeClass: 'c', nodePool: 'default', region: 'global', attributes: { 'cpu.arch': 'amd64' }, meta: { rack: 'r1' } };

describe('task environment', () => {
  it('sets the NOMAD_* variables and interpolates the env block', () => {
    const alloc = { ID: '0123456789abcdef', Name: 'web.app[3]', Namespace: 'default', AllocatedResources: { Tasks: { t: { Cpu: { CpuShares: 100 }, Memory: { MemoryMB: 64, MemoryMaxMB: 0 } } } } } as any;
    const job = { ID: 'web', Name: 'web', ParentID: '', Meta: { owner: 'me' } } as any;
    const group = { Name: 'app', Meta: null } as any;
    const task = { Name: 't', Env: { GREETING: 'hi ${NOMAD_ALLOC_INDEX} on ${node.unique.name} ${attr.cpu.arch} ${meta.rack}' }, Meta: null, Resources: {} } as any;
    const dirs = { allocDir: '/a/alloc', taskDir: '/a/t', localDir: '/a/t/local', secretsDir: '/a/t/secrets', tmpDir: '/a/t/tmp' };
    const env = taskEnv(alloc, job, group, task, dirs, { http: { value: 25000, to: 0, ip: '127.0.0.1' } }, node, { PATH: '/bin' });
    expect(env).toMatchObject({
      PATH: '/bin',
      NOMAD_ALLOC_ID: '0123456789abcdef',
      NOMAD_SHORT_ALLOC_ID: '01234567',
      NOMAD_ALLOC_INDEX: '3',
      NOMAD_TASK_NAME: 't',
      NOMAD_GROUP_NAME: 'app',
      NOMAD_JOB_ID: 'web',
      NOMAD_ALLOC_DIR: '/a/alloc',
      NOMAD_TASK_DIR: '/a/t/local',
      NOMAD_MEMORY_LIMIT: '64',
      NOMAD_CPU_LIMIT: '100',
      NOMAD_META_owner: 'me',
      NOMAD_META_OWNER: 'me',
      NOMAD_PORT_http: '25000',
      NOMAD_ADDR_http: '127.0.0.1:25000',
      GREETING: 'hi 3 on n1 amd64 r1',
    });
    expect(interpolate('${unknown.thing} ${env["PATH"]}', { PATH: '/bin' }, node)).toBe('${unknown.thing} /bin');
  });
});

describe('services', () => {
  it('registers only provider "nomad" services with the port the label names', () => {
    const alloc = { ID: 'a1', TaskGroup: 'app', Namespace: 'default', JobID: 'web' } as any;
    const services = [
      { Name: '${NOMAD_JOB_ID}-http', PortLabel: 'http', Provider: 'nomad', Tags: ['v1'] },
      { Name: 'consul-one', PortLabel: 'http', Provider: 'consul', Tags: null },
    ] as any;
    const registered = serviceRegistrations(alloc, services, { http: { value: 25000, to: 0, ip: '10.0.0.1' } }, { NOMAD_JOB_ID: 'web' }, { ...node, address: '10.0.0.1' }, 'server');
    expect(registered).toEqual([
      {
        ID: registrationId('a1', 'server', 'web-http', 'http'),
        ServiceName: 'web-http',
        Namespace: 'default',
        NodeID: 'node-1',
        Datacenter: 'dc1',
        JobID: 'web',
        AllocID: 'a1',
        Tags: ['v1'],
        Address: '10.0.0.1',
        Port: 25000,
      },
    ]);
    expect(registered[0].ID).toBe('_nomad-task-a1-server-web-http-http');
  });
});

describe('agent configuration', () => {
  it('reads flags and the environment, and rejects what it does not know', () => {
    const parsed = parseNomadAgentArgs(['--dc', 'eu', '--meta', 'rack=r1', '--driver', 'raw_exec', '--data-dir', '/tmp/x'], { NOMAD_ADDR: 'http://api:4646', NOMAD_TOKEN: 'secret' });
    expect(parsed).toMatchObject({ help: false, config: { api: 'http://api:4646', token: 'secret', datacenter: 'eu', meta: { rack: 'r1' }, drivers: ['raw_exec'], dataDir: '/tmp/x' } });
    expect(parseNomadAgentArgs([], {})).toMatchObject({ config: { drivers: ['mock_driver'], nodePool: 'default', datacenter: 'dc1' } });
    expect(() => parseNomadAgentArgs(['--driver', 'docker'], {})).toThrow('unknown driver "docker"');
    expect(() => parseNomadAgentArgs(['--bogus'], {})).toThrow();
    expect(() => parseNomadAgentArgs(['--meta', 'novalue'], {})).toThrow('KEY=VALUE');
  });
});

describe('fingerprint', () => {
  it('counts CPU as MHz × cores and names attributes as Nomad does', () => {
    const facts: HostFacts = {
      hostname: 'box',
      platform: 'linux',
      kernelRelease: '6.1.0',
      arch: 'x64',
      osName: 'debian',
      osVersion: '12',
      cpuModel: 'EPYC',
      cpuMhz: 2500,
      cpuCores: 4,
      memoryBytes: 8 * 1024 ** 3,
      diskVolume: '/data',
      diskTotalBytes: 100 * 1024 ** 3,
      diskFreeBytes: 50 * 1024 ** 3,
      address: '10.0.0.5',
    };
    const config = { name: 'box', datacenter: 'dc1', nodePool: 'gpu', nodeClass: 'large', meta: { rack: 'r1' } };
    const node = nodeRegistration(facts, config, { id: 'id-1', secretId: 's-1' }, [{ name: 'raw_exec', attributes: {} }], '10.0.0.5:0') as any;
    expect(node).toMatchObject({ ID: 'id-1', SecretID: 's-1', NodePool: 'gpu', NodeClass: 'large', Meta: { rack: 'r1' } });
    expect(node.NodeResources).toMatchObject({ Cpu: { CpuShares: 10000, TotalCpuCores: 4 }, Memory: { MemoryMB: 8192 }, Disk: { DiskMB: 51200 } });
    expect(node.Attributes).toMatchObject({
      'kernel.name': 'linux',
      'kernel.arch': 'x86_64',
      'cpu.arch': 'amd64',
      'cpu.totalcompute': '10000',
      'cpu.numcores': '4',
      'unique.hostname': 'box',
      'os.name': 'debian',
      'driver.raw_exec': '1',
    });
    expect(node.Drivers.raw_exec).toMatchObject({ Detected: true, Healthy: true });
    const overridden = nodeRegistration(facts, { ...config, cpuTotalCompute: 4000 }, { id: 'x', secretId: 'y' }, [], '') as any;
    expect(overridden.NodeResources.Cpu.CpuShares).toBe(4000);
  });
});

describe('log stream frames', () => {
  it('split data into 64 KiB frames whose Offset is where each one ends, as Nomad sends them', () => {
    const data = Buffer.alloc(FRAME_BYTES + 10, 'x');
    const frames = logFrames(data, 1000 + data.length, logFileName('web', 'stdout')).map((frame) => JSON.parse(frame));
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ Offset: 1000 + FRAME_BYTES, File: 'alloc/logs/web.stdout.0' });
    expect(Buffer.from(frames[0].Data, 'base64')).toHaveLength(FRAME_BYTES);
    expect(frames[1]).toMatchObject({ Offset: 1000 + FRAME_BYTES + 10, Data: Buffer.from('x'.repeat(10)).toString('base64') });
    expect(Object.keys(frames[1])).toEqual(['Offset', 'Data', 'File']);
  });
});

describe('an allocation stopped while the agent was away', () => {
  it('is reported complete with every task dead and killed', () => {
    const running = { State: 'running', Failed: false, Restarts: 1, LastRestart: null, StartedAt: '2026-01-01T00:00:00.000Z', FinishedAt: null, Events: [{ Type: 'Started', Time: 1 }] };
    const alloc = { ID: 'a1', TaskGroup: 'g', Job: { TaskGroups: [{ Name: 'g', Tasks: [{ Name: 'web' }, { Name: 'side' }] }] }, TaskStates: { web: running } } as any;
    const update = stoppedWhileAway(alloc, Date.parse('2026-01-02T00:00:00Z'));
    expect(update).toMatchObject({ ID: 'a1', ClientStatus: 'complete', ClientDescription: 'All tasks have completed' });
    expect(update.TaskStates!.web).toMatchObject({ State: 'dead', Failed: false, Restarts: 1, StartedAt: '2026-01-01T00:00:00.000Z', FinishedAt: '2026-01-02T00:00:00.000Z' });
    expect(update.TaskStates!.web.Events!.map((e) => e.Type)).toEqual(['Started', 'Killed']);
    expect(update.TaskStates!.side).toMatchObject({ State: 'dead', StartedAt: '0001-01-01T00:00:00Z' });
  });
});
