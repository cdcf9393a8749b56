import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHROOT_ENV, ExecDriver, execHealth } from '../../../../agent/nomad/drivers/exec';
import { RawExecDriver } from '../../../../agent/nomad/drivers/raw-exec';
import { detectDriverHost } from '../../../../agent/nomad/drivers/registry';
import type { StartRequest } from '../../../../agent/nomad/drivers/driver';

/**
 * The exec driver's isolation and the cgroup limits against real processes: bubblewrap's
 * namespaces and chroot, the task's user, and an OOM kill past MemoryMB. Skipped (saying why)
 * where the machine lacks bwrap, root or cgroups; CI installs bwrap so it runs there.
 */
const host = detectDriverHost();
const health = execHealth(host);
const noExec = health.healthy ? '' : ` (skipped: ${health.description})`;
const noCgroups = host.cgroups ? '' : ' (skipped: no usable cgroups on this machine)';
if (noExec) console.warn(`exec driver tests skipped: ${health.description}`);

const root = mkdtempSync(join(tmpdir(), 'exec-driver-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let allocs = 0;
/** A fresh allocation directory laid out as the allocation runner lays it out. */
function request(config: Record<string, unknown>, fields: Partial<StartRequest> = {}): StartRequest {
  const allocId = `alloc-${++allocs}-${process.pid}`;
  const allocDir = join(root, allocId);
  const taskDir = join(allocDir, 't');
  for (const dir of ['alloc/logs', 'alloc/data', 'alloc/tmp', 't/local', 't/secrets', 't/tmp']) mkdirSync(join(allocDir, dir), { recursive: true });
  return {
    allocId,
    taskName: 't',
    config,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', NOMAD_TASK_DIR: '/local' },
    taskDir,
    allocDir: join(allocDir, 'alloc'),
    logFiles: { stdout: join(allocDir, 'alloc/logs/t.stdout.0'), stderr: join(allocDir, 'alloc/logs/t.stderr.0') },
    output: { stdout: () => undefined, stderr: () => undefined },
    resources: { memoryMB: 64, memoryMaxMB: 0, cpuShares: 100 },
    user: '',
    hostNetwork: false,
    ...fields,
  };
}

const stdout = (req: StartRequest) => readFileSync(req.logFiles!.stdout, 'utf8');

describe('exec driver', () => {
  const driver = new ExecDriver(host);

  it(`fingerprints as Nomad's exec does${noExec}`, () => {
    if (noExec) return;
    expect(driver.health).toEqual({ detected: true, healthy: true, description: 'Healthy' });
    expect(driver.attributes).toEqual({ 'driver.exec': 'true' });
    expect(execHealth({ ...host, bwrap: undefined })).toMatchObject({ detected: true, healthy: false });
    expect(execHealth({ ...host, cgroups: undefined })).toEqual({ detected: true, healthy: false, description: 'Failed to discover cgroup mount point' });
    expect(execHealth({ ...host, isRoot: false })).toEqual({ detected: false, healthy: false, description: 'Driver must run as root' });
  });

  it.skipIf(!!noExec)(`isolates the task: its own processes only, its task directory as /, nobody, no network${noExec}`, async () => {
    const script = [
      'id -un',
      'ls /proc | grep -E "^[0-9]+$" | wc -l',
      'echo procs-of-pid1: $(cat /proc/1/comm)',
      'cat /root/anything 2>/dev/null && echo READ-ROOT || echo no-root',
      'touch /etc/escape 2>/dev/null && echo WROTE-ETC || echo etc-read-only',
      'touch /usr/escape 2>/dev/null && echo WROTE-USR || echo usr-read-only',
      'echo inside > /local/file && echo local-writable',
      'echo shared > /alloc/data/file && echo alloc-writable',
      'echo $NOMAD_TASK_DIR',
      'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " \\n"; echo',
      'pwd',
    ].join('; ');
    const req = request({ command: '/bin/sh', args: ['-c', script] });
    const handle = await driver.start(req);
    expect(await handle.wait()).toMatchObject({ exitCode: 0, signal: 0, oomKilled: false });
    const lines = stdout(req).trim().split('\n');
    expect(lines[0]).toBe('nobody');
    // bwrap's init, the shell, ls, grep and wc: nothing of the host's.
    expect(Number(lines[1])).toBeLessThanOrEqual(6);
    expect(lines[2]).toBe('procs-of-pid1: bwrap');
    expect(lines.slice(3, 8)).toEqual(['no-root', 'etc-read-only', 'usr-read-only', 'local-writable', 'alloc-writable']);
    expect(lines[8]).toBe('/local');
    expect(lines[9].trim()).toBe('lo');
    expect(lines[10]).toBe('/');
    expect(readFileSync(join(req.taskDir, 'local/file'), 'utf8')).toBe('inside\n');
    expect(readFileSync(join(req.allocDir!, 'data/file'), 'utf8')).toBe('shared\n');
    expect(existsSync('/etc/escape')).toBe(false);
  });

  it.skipIf(!!noExec)(`shares the host network when the group asks for it, and runs as the task's user${noExec}`, async () => {
    const req = request({ command: '/bin/sh', args: ['-c', 'id -u; tail -n +3 /proc/net/dev | wc -l'] }, { hostNetwork: true, user: 'root' });
    expect(await (await driver.start(req)).wait()).toMatchObject({ exitCode: 0 });
    const [uid, interfaces] = stdout(req).trim().split('\n');
    expect(uid).toBe('0');
    expect(Number(interfaces)).toBeGreaterThan(1);
    await expect(driver.start(request({ command: '/bin/true' }, { user: 'no-such-user' }))).rejects.toThrow('failed to identify user "no-such-user"');
    await expect(driver.start(request({ command: '/opt/nowhere/app' }))).rejects.toThrow('executable file not found');
  });

  it.skipIf(!!noExec)(`binds chroot_env entries where the agent's config maps them, and finds the command on the task's PATH there${noExec}`, async () => {
    const tools = join(root, 'tools');
    mkdirSync(tools, { mode: 0o755 });
    writeFileSync(join(tools, 'hello'), '#!/bin/sh\necho "hello from $0"\n', { mode: 0o755 });
    const mapped = new ExecDriver({ ...host, chrootEnv: { ...DEFAULT_CHROOT_ENV, [tools]: '/tools' } });
    const req = request({ command: 'hello' }, { env: { PATH: '/tools:/usr/bin:/bin' } });
    expect(await (await mapped.start(req)).wait()).toMatchObject({ exitCode: 0 });
    expect(stdout(req)).toBe('hello from /tools/hello\n');
    await expect(driver.start(request({ command: 'hello' }, { env: { PATH: '/tools:/usr/bin:/bin' } }))).rejects.toThrow('executable file not found: hello');
  });

  it.skipIf(!!noExec)(`stops the task with its kill signal inside the sandbox${noExec}`, async () => {
    const req = request({ command: '/bin/sh', args: ['-c', 'trap "echo got-term; exit 7" TERM; echo ready; while true; do sleep 0.1; done'] });
    const handle = await driver.start(req);
    await expect.poll(() => stdout(req)).toBe('ready\n');
    await handle.stop(5_000, 'SIGTERM');
    expect(await handle.wait()).toMatchObject({ exitCode: 7, signal: 0 });
    expect(stdout(req)).toBe('ready\ngot-term\n');
  });
});

describe('cgroup limits', () => {
  const allocate = ['-c', 'echo start; x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived ${#x}'];

  it.skipIf(!!noExec || !!noCgroups)(`OOM-kills an exec task that allocates past its MemoryMB${noExec || noCgroups}`, async () => {
    const req = request({ command: '/bin/sh', args: allocate }, { resources: { memoryMB: 32, memoryMaxMB: 0, cpuShares: 100 } });
    const handle = await new ExecDriver(host).start(req);
    expect(await handle.wait()).toEqual({ exitCode: 137, signal: 9, oomKilled: true, error: 'OOM Killed' });
    expect(stdout(req)).toBe('start\n');
  });

  it.skipIf(!!noCgroups)(`limits a raw_exec task too, and lets MemoryMaxMB raise the hard limit${noCgroups}`, async () => {
    const raw = new RawExecDriver(host);
    const killed = request({ command: '/bin/sh', args: allocate }, { resources: { memoryMB: 32, memoryMaxMB: 0, cpuShares: 100 } });
    expect(await (await raw.start(killed)).wait()).toMatchObject({ exitCode: 137, signal: 9, oomKilled: true });

    const roomy = request({ command: '/bin/sh', args: ['-c', 'x=$(head -c 50000000 /dev/zero | tr "\\0" a); echo survived ${#x}'] }, { resources: { memoryMB: 32, memoryMaxMB: 400, cpuShares: 100 } });
    expect(await (await raw.start(roomy)).wait()).toMatchObject({ exitCode: 0, oomKilled: false });
    expect(stdout(roomy)).toBe('survived 50000000\n');
  });

  it.skipIf(!!noCgroups)(`puts the task in its own cgroup with its limits, and removes the cgroup when it exits${noCgroups}`, async () => {
    const req = request({ command: '/bin/sh', args: ['-c', 'cat /proc/self/cgroup; sleep 0.2'] }, { resources: { memoryMB: 48, memoryMaxMB: 0, cpuShares: 300 } });
    const handle = await new RawExecDriver(host).start(req);
    const dirs = (handle.state as { cgroup: { dirs: string[] } }).cgroup.dirs;
    const memory = host.cgroups!.version === 'v1' ? readFileSync(join(dirs[0], 'memory.limit_in_bytes'), 'utf8') : readFileSync(join(dirs[0], 'memory.max'), 'utf8');
    expect(Number(memory)).toBe(48 * 1024 * 1024);
    if (host.cgroups!.version === 'v1') expect(readFileSync(join(dirs[1], 'cpu.shares'), 'utf8').trim()).toBe('300');
    await handle.wait();
    expect(stdout(req)).toContain(`${req.allocId}.t`);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });
});

describe('raw_exec with a user', () => {
  const noUser = host.isRoot && host.setpriv ? '' : ' (skipped: the agent is not root or has no setpriv)';

  it.skipIf(!!noUser)(`runs the task as its user, unisolated, owning its task directory${noUser}`, async () => {
    const req = request({ command: '/bin/sh', args: ['-c', 'id -un; echo x > local/f && echo local-writable; ls /proc | grep -cE "^[0-9]+$"'] }, { user: 'nobody' });
    expect(await (await new RawExecDriver(host).start(req)).wait()).toMatchObject({ exitCode: 0 });
    const [user, writable, processes] = stdout(req).trim().split('\n');
    expect([user, writable]).toEqual(['nobody', 'local-writable']);
    // raw_exec stays unisolated: the host's processes are all there.
    expect(Number(processes)).toBeGreaterThan(10);
    await expect(new RawExecDriver(host).start(request({ command: '/bin/true' }, { user: 'no-such-user' }))).rejects.toThrow('failed to identify user "no-such-user": user: unknown user no-such-user');
  });
});
