import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { confine, detectContentType, goFileMode, goTime, listDir } from '../../../../agent/nomad/clientops/alloc-fs';
import { streamFile } from '../../../../agent/nomad/clientops/file-stream';
import { addUsage, taskUsage } from '../../../../agent/nomad/clientops/task-stats';
import { sampleTask, type UsageSample } from '../../../../agent/nomad/clientops/task-usage';
import type { StartRequest } from '../../../../agent/nomad/drivers/driver';
import { ExecDriver, execHealth } from '../../../../agent/nomad/drivers/exec';
import { RawExecDriver } from '../../../../agent/nomad/drivers/raw-exec';
import { detectDriverHost } from '../../../../agent/nomad/drivers/registry';

/**
 * The agent's side of the client operations on their own: path confinement and Nomad's file
 * info forms, the stream reader, the stats arithmetic and sampling from a task's cgroup, and an
 * exec with stdin inside an exec task's sandbox (skipped, saying why, without bwrap, root or cgroups).
 */
const root = mkdtempSync(join(tmpdir(), 'client-ops-units-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const host = detectDriverHost();
const health = execHealth(host);
const noExec = health.healthy ? '' : ` (skipped: ${health.description})`;
const noCgroups = host.cgroups ? '' : ' (skipped: no usable cgroups on this machine)';

function allocDir(name: string): string {
  const dir = join(root, name);
  for (const sub of ['alloc/logs', 'alloc/data', 'alloc/tmp', 't/local', 't/secrets', 't/tmp']) mkdirSync(join(dir, sub), { recursive: true });
  return dir;
}

describe('the allocation directory', () => {
  it('confines paths, by name and through symlinks', () => {
    const dir = allocDir('confine');
    symlinkSync('/etc', join(dir, 't/local/etc'));
    symlinkSync('../secrets', join(dir, 't/local/up'));
    expect(confine(dir, '/alloc/logs')).toBe(join(dir, 'alloc/logs'));
    expect(confine(dir, 't/local/up')).toBe(join(dir, 't/local/up'));
    expect(confine(dir, 'not/there/yet')).toBe(join(dir, 'not/there/yet'));
    for (const path of ['..', '../x', 't/../../x', 't/local/etc', 't/local/etc/passwd']) expect(() => confine(dir, path)).toThrow('Path escapes the alloc directory');
    expect(listDir(dir, 't/local').map((file) => [file.Name, file.FileMode])).toEqual([
      ['etc', 'Lrwxrwxrwx'],
      ['up', 'Lrwxrwxrwx'],
    ]);
  });

  it('writes file modes and times as Go does, and sniffs content types as Go does', () => {
    expect(goFileMode({ mode: 0o100644 })).toBe('-rw-r--r--');
    expect(goFileMode({ mode: 0o040755 })).toBe('drwxr-xr-x');
    expect(goFileMode({ mode: 0o041777 })).toBe('dtrwxrwxrwx');
    expect(goFileMode({ mode: 0o104755 })).toBe('urwxr-xr-x');
    expect(goFileMode({ mode: 0o010600 })).toBe('prw-------');
    expect(goTime({ mtimeNs: 1_700_000_000_123_400_000n } as never)).toBe('2023-11-14T22:13:20.1234Z');
    expect(goTime({ mtimeNs: 1_700_000_000_000_000_000n } as never)).toBe('2023-11-14T22:13:20Z');
    expect(detectContentType(Buffer.from('hello\n'))).toBe('text/plain; charset=utf-8');
    expect(detectContentType(Buffer.from('<!DOCTYPE html><p>'))).toBe('text/html; charset=utf-8');
    expect(detectContentType(Buffer.from([0x1f, 0x8b, 0x08, 0]))).toBe('application/x-gzip');
    expect(detectContentType(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01]))).toBe('application/octet-stream');
  });

  it('streams a file in pieces that end at their offsets, and tells a truncation and a deletion', async () => {
    const file = join(allocDir('stream'), 'alloc/data/f');
    writeFileSync(file, 'x'.repeat(20_000));
    const abort = new AbortController();
    const pieces = streamFile({ hostPath: file, name: 'alloc/data/f', offset: 0, limit: 0, follow: true, signal: abort.signal });
    const first = await pieces.next();
    expect(first.value).toMatchObject({ Offset: 16_384, File: 'alloc/data/f' });
    expect((await pieces.next()).value).toMatchObject({ Offset: 20_000 });
    writeFileSync(file, 'ab');
    expect((await pieces.next()).value).toEqual({ Offset: 2, Data: Buffer.from('ab').toString('base64'), File: 'alloc/data/f', FileEvent: 'file truncated' });
    rmSync(file);
    expect((await pieces.next()).value).toEqual({ Offset: 2, File: 'alloc/data/f', FileEvent: 'file deleted' });
    expect((await pieces.next()).done).toBe(true);
  });
});

describe('stats', () => {
  const sample = (at: number, userNs: number, systemNs: number): UsageSample => ({
    userNs, systemNs, throttledPeriods: 1, throttledNs: 5, rss: 100, cache: 10, swap: 0, mappedFile: 0, usage: 110, maxUsage: 0, kernelUsage: 0, kernelMaxUsage: 0,
    measuredMemory: ['RSS', 'Swap'], measuredCpu: ['System Mode', 'User Mode', 'Percent'], atMs: at,
  });

  it('turn two samples into percentages of a core and the MHz they stand for, and add tasks up', () => {
    const usage = taskUsage(sample(1_000, 0, 0), sample(1_200, 100e6, 50e6), 2_000);
    expect(usage.CpuStats).toEqual({ SystemMode: 25, UserMode: 50, TotalTicks: 1_500, ThrottledPeriods: 1, ThrottledTime: 5, Percent: 75, Measured: ['System Mode', 'User Mode', 'Percent'] });
    expect(usage.MemoryStats).toMatchObject({ RSS: 100, Cache: 10, Usage: 110, Measured: ['RSS', 'Swap'] });
    const sum = taskUsage(sample(0, 0, 0), sample(1, 0, 0), 0);
    addUsage(sum, usage);
    addUsage(sum, usage);
    expect(sum.MemoryStats.RSS).toBe(300);
    expect(sum.CpuStats.Percent).toBe(150);
  });

  it.skipIf(!!noCgroups)(`sample a task from its cgroup${noCgroups}`, async () => {
    const dir = allocDir('cgroup');
    const request: StartRequest = {
      allocId: `cg-${process.pid}`, taskName: 't', config: { command: '/bin/sh', args: ['-c', 'x=$(head -c 3000000 /dev/zero | tr "\\0" a); while :; do :; done'] },
      env: { PATH: '/usr/bin:/bin' }, taskDir: join(dir, 't'), allocDir: join(dir, 'alloc'),
      logFiles: { stdout: join(dir, 'alloc/logs/t.stdout.0'), stderr: join(dir, 'alloc/logs/t.stderr.0') },
      output: { stdout: () => undefined, stderr: () => undefined }, resources: { memoryMB: 64, memoryMaxMB: 0, cpuShares: 100 },
    };
    const handle = await new RawExecDriver(host).start(request);
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = sampleTask(handle.state)!;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = sampleTask(handle.state)!;
      expect(after.measuredMemory).toContain('Usage');
      expect(after.usage).toBeGreaterThan(1_000_000);
      expect(taskUsage(before, after, 1_000).CpuStats.Percent).toBeGreaterThan(10);
    } finally {
      await handle.stop(1_000, 'SIGKILL');
    }
  });
});

describe('exec in an exec task', () => {
  it.skipIf(!!noExec)(`runs the command in the task's sandbox, as its user, with stdin${noExec}`, async () => {
    const dir = allocDir('exec');
    writeFileSync(join(dir, 't/local/note'), 'inside\n');
    const stdin = new PassThrough();
    const out: string[] = [];
    const running = new ExecDriver(host).exec({
      command: '/bin/sh', args: ['-c', 'read line; echo "$line as $(id -un) in $(pwd)"; cat /local/note; test -e /etc/hostname.agent-only || echo no-host-root'],
      env: { PATH: '/usr/bin:/bin' }, cwd: join(dir, 't'), taskConfig: {},
      output: { stdout: (chunk) => out.push(chunk.toString()), stderr: (chunk) => out.push(chunk.toString()) },
      signal: new AbortController().signal, stdin,
    });
    stdin.end('hello\n');
    expect(await running).toEqual({ exitCode: 0 });
    expect(out.join('')).toBe('hello as nobody in /\ninside\nno-host-root\n');
    expect(readFileSync(join(dir, 't/local/note'), 'utf8')).toBe('inside\n');
  });
});
