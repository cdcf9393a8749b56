import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../infra/local/stand-ins';
import { startLocalStack } from '../../../infra/local/local-stack';

/**
 * The stand-ins cannot outlive their owner: DynamoDB Local's JVM (behind its watchdog) goes when
 * the process that started it is killed with SIGKILL, and when a local stack fails to start.
 */
const scratch = mkdtempSync(join(tmpdir(), 'stand-ins-lifetime-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** pid → parent pid of every process on the machine. */
function parents(): Map<number, number> {
  const table = new Map<number, number>();
  for (const line of execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    table.set(pid, ppid);
  }
  return table;
}

function descendants(root: number): number[] {
  const table = parents();
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of table) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('DynamoDB Local’s lifetime', () => {
  it('ends within seconds of its owner being killed with SIGKILL', async () => {
    const standIns = fileURLToPath(new URL('../../../infra/local/stand-ins.ts', import.meta.url));
    const script = `const { startStandIns } = await import(${JSON.stringify(standIns)});
      await startStandIns({ scratchDir: ${JSON.stringify(join(scratch, 's3'))} });
      console.log('ready');
      setInterval(() => undefined, 60_000);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      owner.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      owner.once('exit', (code) => reject(new Error(`the owner exited (${code}) before the stand-ins were up`)));
    });
    const started = descendants(owner.pid!);
    const commands = execFileSync('ps', ['-o', 'args=', '-p', started.join(',')], { encoding: 'utf8' });
    expect(commands).toContain('watchdog.cjs');
    expect(commands).toContain('DynamoDBLocal.jar');

    owner.kill('SIGKILL');
    await expect.poll(() => started.filter(alive), { timeout: 30_000, interval: 200 }).toEqual([]);
  }, 120_000);

  it('is stopped when the local stack cannot take its port', async () => {
    const port = await freePort();
    const squatter: Server = await new Promise((resolve) => {
      const server = createServer();
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
    try {
      const before = new Set(descendants(process.pid));
      await expect(startLocalStack({ dataDir: join(scratch, 'data'), port, periodicMs: 3_600_000 })).rejects.toThrow(/EADDRINUSE/);
      const left = descendants(process.pid).filter((pid) => !before.has(pid) && alive(pid));
      expect(left).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 120_000);
});
