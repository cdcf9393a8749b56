import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTaskCgroup, type TaskCgroup } from '../../../agent/nomad/cgroups/cgroups';
import { execHealth } from '../../../agent/nomad/drivers/exec';
import { detectDriverHost } from '../../../agent/nomad/drivers/registry';
import { ClientStateStore } from '../../../agent/nomad/state/client-state';
import { callUrl, eventually, startApiServer, type ApiServer } from '../../support/nomad-http';
import { useFreshResources } from '../../support/resources';

/**
 * The agent as its own process, as a node runs it, against a real API server: killed with
 * SIGKILL and started again with the same data dir, it takes up the tasks it ran (same PID, no
 * restart, logs shipped on from where they stopped) and reports a task that ended while it was
 * away with its real exit code. Also exec and OOM through the whole stack, where the machine
 * has bwrap and cgroups (skipped, saying why, where not).
 */
const host = detectDriverHost();
const execReady = execHealth(host);
const noExec = execReady.healthy ? '' : ` (skipped: ${execReady.description})`;
const noCgroups = host.cgroups ? '' : ' (skipped: no usable cgroups on this machine)';

const dataDir = mkdtempSync(join(tmpdir(), 'agent-reattach-'));
let server: ApiServer;
let agent: ChildProcess | undefined;

const call = (method: string, path: string, body?: unknown) => callUrl(server.url, method, path, body);

async function startAgent(): Promise<ChildProcess> {
  const args = ['--import', 'tsx', 'agent/main.ts', 'nomad', '--api', server.url, '--data-dir', dataDir, '--name', 'reattach', '--address', '127.0.0.1', '--log-level', process.env.AGENT_TEST_LOG ?? 'error'];
  for (const driver of ['raw_exec', 'exec']) args.push('--driver', driver);
  const child = spawn(process.execPath, args, { cwd: join(import.meta.dirname, '../../..'), stdio: ['ignore', 'inherit', 'inherit'] });
  const nodes = await eventually(() => call('GET', '/v1/nodes'), (r) => r.body?.some((node: any) => node.Name === 'reattach' && node.Status === 'ready'), 30_000);
  expect(nodes.body.map((node: any) => node.Status)).toEqual(['ready']);
  return child;
}

function job(id: string, type: string, task: Record<string, unknown>) {
  return {
    Job: {
      ID: id,
      Type: type,
      Datacenters: ['dc1'],
      TaskGroups: [
        {
          Name: 'g',
          Count: 1,
          RestartPolicy: { Attempts: 0, Interval: 60e9, Delay: 1e9, Mode: 'fail' },
          ReschedulePolicy: { Attempts: 0, Unlimited: false, Interval: 0, Delay: 5e9, DelayFunction: 'constant', MaxDelay: 0 },
          Tasks: [{ Name: 't', Resources: { CPU: 100, MemoryMB: 64 }, ...task }],
        },
      ],
    },
  };
}

async function allocOf(jobId: string, done: (alloc: any) => boolean) {
  const allocs = await eventually(() => call('GET', `/v1/job/${jobId}/allocations`), (r) => r.body?.length === 1 && done(r.body[0]), 60_000);
  return allocs.body[0];
}

async function log(allocId: string, type = 'stdout'): Promise<string> {
  return (await call('GET', `/v1/client/fs/logs/${allocId}?task=t&type=${type}&plain=true`)).text ?? '';
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  await useFreshResources();
  server = await startApiServer('reattach-worker');
  agent = await startAgent();
});

afterAll(async () => {
  agent?.kill('SIGKILL');
  // Tasks outlive the agent by design: whatever a failed test left running goes here, found as the next agent would find it.
  for (const record of new ClientStateStore(dataDir).load().values()) {
    for (const task of Object.values(record.tasks)) {
      const handle = task.handle as { pid: number; cgroup?: TaskCgroup } | undefined;
      if (!handle) continue;
      try {
        process.kill(-handle.pid, 'SIGKILL');
      } catch {
        // gone
      }
      if (handle.cgroup) await removeTaskCgroup(handle.cgroup);
    }
  }
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an agent killed and started again', () => {
  it('finds its service task still running (same PID, no restart), ships its log on, and reports a task that ended meanwhile with its exit code', async () => {
    const ticker = 'i=0; while true; do i=$((i+1)); echo "tick $i pid $$"; sleep 0.1; done';
    expect((await call('POST', '/v1/jobs', job('ticker', 'service', { Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', ticker] } }))).status).toBe(200);
    expect((await call('POST', '/v1/jobs', job('short', 'batch', { Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', 'sleep 2; exit 3'] } }))).status).toBe(200);
    const running = await allocOf('ticker', (alloc) => alloc.ClientStatus === 'running');
    await allocOf('short', (alloc) => alloc.ClientStatus === 'running');
    const shipped = await eventually(() => log(running.ID), (text) => text.includes('tick 3 '));
    const pid = Number(/pid (\d+)/.exec(shipped)![1]);

    agent!.kill('SIGKILL');
    await new Promise((resolve) => agent!.once('exit', resolve));
    // Away for longer than the batch task lives; the service task keeps running and writing.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(alive(pid)).toBe(true);
    const writtenWhileAway = readFileSync(join(dataDir, 'alloc', running.ID, 'alloc/logs/t.stdout.0'), 'utf8');

    agent = await startAgent();
    const failed = await allocOf('short', (alloc) => alloc.ClientStatus === 'failed');
    const terminated = failed.TaskStates.t.Events.find((event: any) => event.Type === 'Terminated');
    expect(terminated).toMatchObject({ ExitCode: 3, Signal: 0, DisplayMessage: 'Exit Code: 3' });
    expect(failed.TaskStates.t.Events.map((event: any) => event.Type)).toEqual(['Received', 'Task Setup', 'Started', 'Terminated', 'Not Restarting']);

    const flowing = await eventually(() => log(running.ID), (text) => text.length > writtenWhileAway.length + 20, 60_000);
    expect(flowing.length).toBeGreaterThan(writtenWhileAway.length);
    const lines = flowing.trim().split('\n');
    // One process all along: the counter never started over and the PID never changed.
    expect(lines.map((line) => line.split(' ')[1])).toEqual(lines.map((_, i) => String(i + 1)));
    expect(new Set(lines.map((line) => line.split(' ')[3]))).toEqual(new Set([String(pid)]));

    const after = (await call('GET', `/v1/allocation/${running.ID}`)).body;
    expect(after.ClientStatus).toBe('running');
    expect(after.TaskStates.t).toMatchObject({ State: 'running', Restarts: 0 });
    expect(after.TaskStates.t.Events.map((event: any) => event.Type)).toEqual(['Received', 'Task Setup', 'Started']);

    // Stopping the job reaches the task the new agent took up.
    await call('DELETE', '/v1/job/ticker');
    const stopped = await allocOf('ticker', (alloc) => alloc.ClientStatus === 'complete');
    expect(stopped.TaskStates.t.Events.map((event: any) => event.Type).slice(-3)).toEqual(['Killing', 'Terminated', 'Killed']);
    await expect.poll(() => alive(pid)).toBe(false);
  }, 180_000);

  it.skipIf(!!noExec)(`runs an exec task isolated: it sees only its own processes, cannot write outside its task directory nor read /root${noExec}`, async () => {
    const script = 'ls /proc | grep -cE "^[0-9]+$"; touch /etc/x 2>/dev/null || echo etc-read-only; ls /root 2>/dev/null || echo no-root; echo hi > /local/f && cat /local/f';
    await call('POST', '/v1/jobs', job('isolated', 'batch', { Driver: 'exec', Config: { command: '/bin/sh', args: ['-c', script] } }));
    const done = await allocOf('isolated', (alloc) => alloc.ClientStatus === 'complete' || alloc.ClientStatus === 'failed');
    expect(done.ClientStatus).toBe('complete');
    const [processes, ...rest] = (await log(done.ID)).trim().split('\n');
    expect(Number(processes)).toBeLessThanOrEqual(5);
    expect(rest).toEqual(['etc-read-only', 'no-root', 'hi']);
    const node = (await call('GET', `/v1/node/${done.NodeID}`)).body;
    expect(node.Drivers.exec).toMatchObject({ Detected: true, Healthy: true, HealthDescription: 'Healthy', Attributes: { 'driver.exec': 'true' } });
    expect(node.Attributes['unique.cgroup.version']).toBe(host.cgroups!.version);
  }, 90_000);

  it.skipIf(!!noExec || !!noCgroups)(`OOM-kills an exec task past its MemoryMB and reports it as Nomad does${noExec || noCgroups}`, async () => {
    const hog = 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived';
    await call('POST', '/v1/jobs', job('hog', 'batch', { Driver: 'exec', Config: { command: '/bin/sh', args: ['-c', hog] }, Resources: { CPU: 100, MemoryMB: 32 } }));
    const failed = await allocOf('hog', (alloc) => alloc.ClientStatus === 'failed');
    const terminated = failed.TaskStates.t.Events.find((event: any) => event.Type === 'Terminated');
    expect(terminated).toMatchObject({ ExitCode: 137, Signal: 9, Message: 'OOM Killed', DisplayMessage: 'Exit Code: 137, Signal: 9, Exit Message: "OOM Killed"' });
    expect(terminated.Details).toMatchObject({ exit_code: '137', signal: '9', oom_killed: 'true' });
  }, 90_000);
});
