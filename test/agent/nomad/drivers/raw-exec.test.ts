import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { RawExecDriver } from '../../../../agent/nomad/drivers/raw-exec';
import { DriverStartError } from '../../../../agent/nomad/drivers/driver';

/** raw_exec's process handling: the task's directory and environment, signals, kill timeouts. */
const dir = mkdtempSync(`${tmpdir()}/raw-exec-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sinks() {
  const out: string[] = [];
  return { out, output: { stdout: (chunk: Buffer) => out.push(chunk.toString()), stderr: (chunk: Buffer) => out.push(chunk.toString()) } };
}

describe('raw_exec', () => {
  const driver = new RawExecDriver();

  it('runs the command in the task directory with the task environment only', async () => {
    const { out, output } = sinks();
    const handle = await driver.start({ allocId: 'a', taskName: 't', config: { command: '/bin/sh', args: ['-c', 'pwd; echo "$GREETING"; echo "${HOME:-unset}"'] }, env: { GREETING: 'hi', PATH: process.env.PATH ?? '' }, taskDir: dir, output });
    expect(await handle.wait()).toEqual({ exitCode: 0, signal: 0, oomKilled: false });
    expect(out.join('')).toBe(`${dir}\nhi\nunset\n`);
  });

  it('stops the whole process group with the kill signal, and kills it once the kill timeout passes', async () => {
    const { output } = sinks();
    const polite = await driver.start({ allocId: 'a', taskName: 't', config: { command: '/bin/sh', args: ['-c', 'sleep 30 & wait'] }, env: {}, taskDir: dir, output });
    await polite.stop(5_000, 'SIGTERM');
    expect(await polite.wait()).toMatchObject({ signal: 15 });

    const ready = sinks();
    const stubborn = await driver.start({
      allocId: 'a',
      taskName: 't',
      config: { command: '/bin/sh', args: ['-c', 'trap "" INT; echo ready; sleep 30 & wait; sleep 30'] },
      env: {},
      taskDir: dir,
      output: ready.output,
    });
    // Only once the shell ignores SIGINT is the test meaningful.
    await expect.poll(() => ready.out.join(''), { timeout: 30_000 }).toBe('ready\n');
    const started = Date.now();
    await stubborn.stop(300, 'SIGINT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await stubborn.wait()).toMatchObject({ signal: 9, exitCode: 137 });
  });

  it('fails to start, unrecoverably, a command that does not exist or a config without one', async () => {
    const { output } = sinks();
    const missing = driver.start({ allocId: 'a', taskName: 't', config: { command: '/no/such/binary' }, env: {}, taskDir: dir, output });
    await expect(missing).rejects.toThrow(new DriverStartError('failed to launch command with executor: executable file not found: /no/such/binary', false));
    await expect(driver.start({ allocId: 'a', taskName: 't', config: { args: ['x'] }, env: {}, taskDir: dir, output })).rejects.toThrow(/failed to decode driver config: command/);
  });
});
