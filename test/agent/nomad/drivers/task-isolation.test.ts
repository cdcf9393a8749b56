import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, procStat } from '../../../../agent/common/proc-stat';
import { cpuWeight } from '../../../../agent/nomad/cgroups/cgroups';
import { parseNomadAgentArgs } from '../../../../agent/nomad/config';
import { bwrapArgs, DEFAULT_CHROOT_ENV } from '../../../../agent/nomad/drivers/exec';
import { RawExecDriver } from '../../../../agent/nomad/drivers/raw-exec';
import { detectDriverHost } from '../../../../agent/nomad/drivers/registry';
import { launchTask, recoverTask } from '../../../../agent/nomad/drivers/task-process';
import { nodeRegistration, type HostFacts } from '../../../../agent/nomad/fingerprint';
import { ClientStateStore } from '../../../../agent/nomad/state/client-state';

/**
 * The pieces behind isolation, limits and re-attach: bwrap's sandbox options, the cgroup weight,
 * /proc identity of a process, the local state file, the fingerprint of an unhealthy driver, a
 * task process found again from its state (and a reused PID not mistaken for it), and the
 * prlimit fallback where there are no cgroups.
 */
const root = mkdtempSync(join(tmpdir(), 'task-isolation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const noop = { stdout: () => undefined, stderr: () => undefined };

describe('exec sandbox options', () => {
  it('unshares every namespace, the network unless the group wants the host, and binds the chroot', () => {
    const sandbox = { taskDir: '/data/alloc/a1/web', allocDir: '/data/alloc/a1/alloc', hostNetwork: false, chrootEnv: { '/bin': '/bin', '/usr': '/usr' } };
    expect(bwrapArgs(sandbox)).toEqual([
      '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--unshare-net',
      '--bind', '/data/alloc/a1/web', '/', '--bind', '/data/alloc/a1/alloc', '/alloc',
      '--ro-bind-try', '/bin', '/bin', '--ro-bind-try', '/usr', '/usr',
      '--proc', '/proc', '--dev', '/dev', '--chdir', '/',
    ]);
    expect(bwrapArgs({ ...sandbox, hostNetwork: true })).not.toContain('--unshare-net');
    expect(Object.keys(DEFAULT_CHROOT_ENV)).toEqual(['/bin', '/etc', '/lib', '/lib32', '/lib64', '/run/resolvconf', '/sbin', '/usr', '/run/systemd/resolve']);
  });

  it("maps cpu shares onto cgroup v2's cpu.weight as Nomad does", () => {
    expect([cpuWeight(2), cpuWeight(1024), cpuWeight(262_144), cpuWeight(1), cpuWeight(1_000_000)]).toEqual([1, 39, 10_000, 1, 10_000]);
  });
});

describe('process identity', () => {
  it('names a process by PID and start time', () => {
    const self = procStat(process.pid)!;
    expect(self).toMatchObject({ pid: process.pid, state: expect.any(String) });
    expect(self.startTime).toMatch(/^\d+$/);
    expect(isAlive(process.pid, self.startTime)).toBe(true);
    expect(isAlive(process.pid, String(Number(self.startTime) + 1))).toBe(false);
    expect(procStat(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('the local state file', () => {
  it('round-trips what the agent runs, replaces the file whole, and starts empty from a missing or broken file', () => {
    const dir = join(root, 'state');
    const store = new ClientStateStore(dir);
    expect(store.load().size).toBe(0);
    const record = { alloc: { ID: 'a1' } as any, ports: {}, tasks: { t: { state: { State: 'running' } as any, handle: { pid: 1, startTime: '2' }, logs: { stdout: 10, stderr: 0 } } } };
    store.save([record]);
    expect(store.load().get('a1')).toEqual(record);
    expect(readdirSync(join(dir, 'client'))).toEqual(['state.json']);
    writeFileSync(store.path, '{"Version":1,"Allocs":');
    expect(store.load().size).toBe(0);
  });
});

describe('fingerprint', () => {
  it('reports an unhealthy driver as Nomad does, without its attribute, and the cgroups in use', () => {
    const facts: HostFacts = {
      hostname: 'box', platform: 'linux', kernelRelease: '6.1.0', arch: 'x64', osName: 'debian', osVersion: '12', cpuModel: 'x', cpuMhz: 2500, cpuCores: 4,
      memoryBytes: 8 * 1024 ** 3, diskVolume: '/data', diskTotalBytes: 1, diskFreeBytes: 1, address: '10.0.0.5', cgroup: { version: 'v1', mountpoint: '/sys/fs/cgroup' },
    };
    const config = { name: 'box', datacenter: 'dc1', nodePool: 'default', nodeClass: '', meta: {} };
    const drivers = [
      { name: 'exec', attributes: {}, health: { detected: true, healthy: false, description: 'Failed to discover cgroup mount point' } },
      { name: 'raw_exec', attributes: {} },
    ];
    const node = nodeRegistration(facts, config, { id: 'n', secretId: 's' }, drivers, '') as any;
    expect(node.Drivers.exec).toMatchObject({ Detected: true, Healthy: false, HealthDescription: 'Failed to discover cgroup mount point' });
    expect(node.Attributes['driver.exec']).toBeUndefined();
    expect(node.Attributes['driver.raw_exec']).toBe('1');
    expect(node.Attributes).toMatchObject({ 'unique.cgroup.version': 'v1', 'unique.cgroup.mountpoint': '/sys/fs/cgroup' });
  });

  it('takes --stop-tasks-on-exit, and chroot_env from the config file', () => {
    const parsed = parseNomadAgentArgs(['--stop-tasks-on-exit'], {});
    expect(parsed.help === false && parsed.config.stopTasksOnExit).toBe(true);
    const file = join(root, 'agent.json');
    writeFileSync(file, JSON.stringify({ chroot_env: { '/opt/tools': '/tools', '/usr': '/usr' } }));
    expect(parseNomadAgentArgs(['--config', file], {})).toMatchObject({ config: { chrootEnv: { '/opt/tools': '/tools', '/usr': '/usr' } } });
    writeFileSync(file, JSON.stringify({ chroot_env: { relative: '/x' } }));
    expect(() => parseNomadAgentArgs(['--config', file], {})).toThrow(/chroot_env/);
  });
});

describe('a task process found again', () => {
  const files = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    return { dir, logFiles: { stdout: join(dir, 'out'), stderr: join(dir, 'err') }, exitFile: join(dir, '.t.exit') };
  };

  it('is watched and stopped through its recorded state, and ends with the status its wrapper recorded', async () => {
    const { dir, logFiles, exitFile } = files('recover');
    const first = await launchTask({ argv: ['/bin/sh', '-c', 'trap "exit 5" TERM; echo up; while :; do sleep 0.1; done'], env: { PATH: '/usr/bin:/bin' }, cwd: dir, logFiles, output: noop, exitFile });
    await expect.poll(() => readFileSync(logFiles.stdout, 'utf8')).toBe('up\n');
    // As a new agent would: from the saved state only.
    const state = JSON.parse(JSON.stringify(first.state));
    first.detach!();
    const again = recoverTask(state);
    await again.stop(5_000, 'SIGTERM');
    expect(await again.wait()).toEqual({ exitCode: 5, signal: 0, oomKilled: false, error: undefined });
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('5');
  });

  it('does not take a reused PID for the task: a process with another start time means the task is gone', async () => {
    const { exitFile } = files('reused');
    writeFileSync(exitFile, '3\n');
    const stranger = procStat(process.pid)!;
    const handle = recoverTask({ pid: process.pid, startTime: String(Number(stranger.startTime) + 1), exitFile });
    expect(await handle.wait()).toMatchObject({ exitCode: 3, signal: 0 });
    // The stop of a task already gone signals nothing (this process is still here).
    await handle.stop(100, 'SIGKILL');
    expect(isAlive(process.pid, stranger.startTime)).toBe(true);
    expect(existsSync(exitFile)).toBe(true);
  });

  it('limits memory with prlimit where there are no cgroups: the allocation fails, nothing is OOM-killed', async () => {
    const host = detectDriverHost();
    if (!host.prlimit) return console.warn('skipped: no prlimit on this machine');
    const { dir, logFiles } = files('prlimit');
    mkdirSync(join(dir, 't'), { recursive: true });
    const driver = new RawExecDriver({ prlimit: host.prlimit });
    const script = 'x=$(head -c 200000000 /dev/zero | tr "\\0" a) && echo survived || echo refused';
    const handle = await driver.start({ allocId: 'p', taskName: 't', config: { command: '/bin/sh', args: ['-c', script] }, env: { PATH: '/usr/bin:/bin' }, taskDir: join(dir, 't'), logFiles, output: noop, resources: { memoryMB: 32, memoryMaxMB: 0, cpuShares: 0 } });
    expect(await handle.wait()).toMatchObject({ oomKilled: false });
    expect(readFileSync(logFiles.stdout, 'utf8')).not.toContain('survived');
  });
});
