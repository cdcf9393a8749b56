import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../agent/common/logger';
import { startNomadAgent, type NomadAgent } from '../../../../agent/nomad/agent';
import { aclForThisFile, clientToken } from '../../../support/nomad-acl';
import { callUrl, eventually, startApiServer, type ApiServer } from '../../../support/nomad-http';
import { testNode } from '../../../support/nomad';
import { useFreshResources } from '../../../support/resources';

/**
 * Nomad's client allocation operations and allocation file system against a real API server and
 * a real agent (raw_exec), relayed over the agent's channel, with ACLs on: signal, restart,
 * stats, garbage collection, and ls/stat/cat/readat/stream confined to the allocation directory.
 */
const { bootstrap, root } = aclForThisFile();
const dataDir = mkdtempSync(join(tmpdir(), 'client-ops-'));
let server: ApiServer;
let base: string;
let agent: NomadAgent;
let allocId = '';

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = root) => callUrl(base, method, path, body, headers);

// The task traps SIGHUP, leaves a secret and a symlink out of the allocation directory, and writes a known log.
const SCRIPT = [
  'trap "echo got HUP" HUP',
  'echo s3cret > secrets/token',
  'ln -sf / local/host-root',
  'printf "0123456789" > local/digits.txt',
  'mkdir -p local/many; for i in $(seq 1 400); do : > local/many/file-$i; done',
  'echo ready',
  'while true; do sleep 0.1; done',
].join('\n');

function serviceJob(id: string) {
  return {
    Job: {
      ID: id,
      Type: 'service',
      Datacenters: ['dc1'],
      TaskGroups: [
        {
          Name: 'g',
          Count: 1,
          RestartPolicy: { Attempts: 0, Interval: 60e9, Delay: 1e9, Mode: 'fail' },
          Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', SCRIPT] }, KillTimeout: 2e9, Resources: { CPU: 100, MemoryMB: 64 } }],
        },
      ],
    },
  };
}

async function taskState(id: string) {
  return (await call('GET', `/v1/allocation/${id}`)).body.TaskStates.t;
}

async function readyAlloc(jobId: string): Promise<string> {
  const allocs = await eventually(() => call('GET', `/v1/job/${jobId}/allocations`), (r) => r.body?.[0]?.ClientStatus === 'running');
  const id = allocs.body[0].ID as string;
  await eventually(() => call('GET', `/v1/client/fs/cat/${id}?path=alloc/logs/t.stdout.0`), (r) => r.text.includes('ready'));
  return id;
}

beforeAll(async () => {
  await useFreshResources();
  server = await startApiServer('client-ops-worker');
  base = server.url;
  agent = startNomadAgent(
    {
      api: base,
      token: bootstrap,
      dataDir: join(dataDir, 'a1'),
      name: 'ops',
      datacenter: 'dc1',
      nodePool: 'default',
      nodeClass: '',
      meta: {},
      drivers: ['raw_exec', 'mock_driver'],
      address: '127.0.0.1',
      logLevel: 'error',
    },
    createLogger(process.env.AGENT_TEST_LOG ? 'debug' : 'error'),
  );
  await agent.ready;
  expect((await call('POST', '/v1/jobs', serviceJob('ops'))).status).toBe(200);
  allocId = await readyAlloc('ops');
}, 120_000);

let agentStopped = false;

afterAll(async () => {
  if (!agentStopped) await agent?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('client allocation operations', () => {
  it('signal a task: the process gets it, the task records a Signaling event', async () => {
    expect(await call('POST', `/v1/client/allocation/${allocId}/signal`, { Task: 't', Signal: 'SIGHUP' })).toMatchObject({ status: 200, body: { Index: 0 } });
    const log = await eventually(() => call('GET', `/v1/client/fs/cat/${allocId}?path=alloc/logs/t.stdout.0`), (r) => r.text.includes('got HUP'));
    expect(log.text).toBe('ready\ngot HUP\n');
    const state = await eventually(() => taskState(allocId), (s) => s.Events.some((e: any) => e.Type === 'Signaling'));
    expect(state.Events.find((e: any) => e.Type === 'Signaling')).toMatchObject({ DisplayMessage: 'Task being sent a signal', Details: { signal: 'SIGHUP' }, TaskSignal: '' });

    // No task: every task of the allocation.
    expect((await call('PUT', `/v1/client/allocation/${allocId}/signal`, { Signal: 'SIGHUP' })).status).toBe(200);
    expect(await call('POST', `/v1/client/allocation/${allocId}/signal`, { Task: 'nope', Signal: 'SIGHUP' })).toMatchObject({ status: 500, text: 'Task not found' });
    expect((await call('POST', `/v1/client/allocation/${allocId}/signal`, { Task: 't', Signal: 'SIGHUP', Namespace: null })).status).toBe(200);
    expect(await call('POST', `/v1/client/allocation/${allocId}/signal`, { Task: 7 })).toMatchObject({ status: 400 });
    expect(await call('POST', `/v1/client/allocation/${allocId}/signal`)).toMatchObject({ status: 400, text: 'Failed to decode body: Request body is empty' });
    expect(await call('GET', `/v1/client/allocation/${allocId}/signal`)).toMatchObject({ status: 405, text: 'Invalid method' });
  });

  it('answer Nomad errors for unknown allocations, unknown nodes and nodes without a channel', async () => {
    const unknown = '00000000-0000-0000-0000-000000000000';
    for (const op of ['signal', 'restart', 'stats', 'gc']) {
      const response = await call(op === 'signal' ? 'POST' : 'GET', `/v1/client/allocation/${unknown}/${op}`, op === 'signal' ? { Signal: 'SIGHUP' } : undefined);
      expect(response).toMatchObject({ status: 404, text: `Unknown allocation "${unknown}"` });
    }
    expect(await call('GET', `/v1/client/allocation/${allocId}/nope`)).toMatchObject({ status: 404, text: 'resource not found' });
    expect(await call('GET', '/v1/client/stats')).toMatchObject({ status: 400, text: 'No local Node and node_id not provided' });
    expect(await call('GET', `/v1/client/stats?node_id=${unknown}`)).toMatchObject({ status: 404, text: `Unknown node ${unknown}` });
    // A node that registered but has no agent channel open (its agent is gone).
    const silent = testNode(7);
    expect((await call('PUT', '/v1/node/register', { Node: silent })).status).toBe(200);
    expect(await call('GET', `/v1/client/stats?node_id=${silent.ID}`)).toMatchObject({ status: 404, text: 'No path to node' });
    expect(await call('PUT', `/v1/client/gc?node_id=${silent.ID}`)).toMatchObject({ status: 404, text: 'No path to node' });
  });

  it('check the capabilities Nomad asks for', async () => {
    const reader = { 'X-Nomad-Token': await clientToken(bootstrap, 'ops-reader', 'namespace "default" { capabilities = ["read-job"] }\nnode { policy = "read" }') };
    expect(await call('POST', `/v1/client/allocation/${allocId}/signal`, { Signal: 'SIGHUP' }, reader)).toMatchObject({ status: 403, text: 'Permission denied' });
    expect((await call('POST', `/v1/client/allocation/${allocId}/restart`, {}, reader)).status).toBe(403);
    expect((await call('GET', `/v1/client/allocation/${allocId}/gc`, undefined, reader)).status).toBe(403);
    expect((await call('GET', `/v1/client/fs/ls/${allocId}`, undefined, reader)).status).toBe(403);
    expect((await call('GET', `/v1/client/fs/cat/${allocId}?path=alloc/logs/t.stdout.0`, undefined, reader)).status).toBe(403);
    expect((await call('PUT', `/v1/client/gc?node_id=${agent.nodeId}`, undefined, reader)).status).toBe(403);
    expect((await call('GET', `/v1/client/allocation/${allocId}/stats`, undefined, reader)).status).toBe(200);
    expect((await call('GET', `/v1/client/stats?node_id=${agent.nodeId}`, undefined, reader)).status).toBe(200);
    expect((await call('GET', `/v1/client/allocation/${allocId}/stats`, undefined, {})).status).toBe(403);
  });

  it('report the task processes’ usage and the host’s', async () => {
    const stats = await call('GET', `/v1/client/allocation/${allocId}/stats`);
    expect(stats.status).toBe(200);
    const usage = stats.body.Tasks.t.ResourceUsage;
    expect(usage.MemoryStats.RSS).toBeGreaterThan(0);
    expect(usage.MemoryStats.Measured).toContain('RSS');
    expect(usage.CpuStats.Measured).toContain('Percent');
    expect(Object.keys(usage.CpuStats).sort()).toEqual(['Measured', 'Percent', 'SystemMode', 'ThrottledPeriods', 'ThrottledTime', 'TotalTicks', 'UserMode']);
    expect(stats.body.ResourceUsage.MemoryStats.RSS).toBe(usage.MemoryStats.RSS);
    expect(stats.body.Tasks.t.Timestamp).toBeGreaterThan(Date.now() * 1e6 - 60e9);
    expect((await call('GET', `/v1/client/allocation/${allocId}/stats?task=other`)).body.Tasks).toEqual({});

    const host = await call('GET', `/v1/client/stats?node_id=${agent.nodeId}`);
    expect(host.status).toBe(200);
    expect(Object.keys(host.body).sort()).toEqual(['AllocDirStats', 'CPU', 'CPUTicksConsumed', 'DeviceStats', 'DiskStats', 'Memory', 'Timestamp', 'Uptime']);
    expect(host.body.Memory.Total).toBeGreaterThan(host.body.Memory.Free);
    expect(host.body.CPU.length).toBeGreaterThan(0);
    expect(host.body.CPU[0]).toMatchObject({ CPU: 'cpu0' });
    expect(Object.keys(host.body.CPU[0]).sort()).toEqual(['CPU', 'Idle', 'System', 'TotalPercent', 'TotalTicks', 'User']);
    expect(host.body.AllocDirStats.Size).toBeGreaterThan(0);
    expect(host.body.Uptime).toBeGreaterThan(0);
  });

  it('restart a task in place under Nomad’s events, and refuse what Nomad refuses', async () => {
    const before = await taskState(allocId);
    expect(await call('POST', `/v1/client/allocation/${allocId}/restart`, { TaskName: 't' })).toMatchObject({ status: 200, body: { Index: 0 } });
    const state = await eventually(() => taskState(allocId), (s) => s.State === 'running' && s.Restarts === before.Restarts + 1);
    const types = state.Events.map((e: any) => e.Type);
    expect(types.slice(-4)).toEqual(['Restart Signaled', 'Terminated', 'Restarting', 'Started']);
    const events = state.Events.slice(-4);
    expect(events[0]).toMatchObject({ DisplayMessage: 'User requested task to restart', RestartReason: 'User requested task to restart' });
    expect(events[2]).toMatchObject({ DisplayMessage: 'Task restarting in 0s', StartDelay: 0 });
    // The restart did not count against the policy (Attempts: 0 would have failed the task).
    expect(state.Failed).toBe(false);

    expect(await call('POST', `/v1/client/allocation/${allocId}/restart`, { TaskName: 't', AllTasks: true })).toMatchObject({
      status: 500,
      text: 'task name cannot be set when restarting all tasks',
    });
    expect(await call('POST', `/v1/client/allocation/${allocId}/restart`, { TaskName: 'nope' })).toMatchObject({ status: 500, text: 'Could not find task runner for task: nope' });
    expect(await call('POST', `/v1/client/allocation/${allocId}/restart`, { AllTasks: 'yes' })).toMatchObject({ status: 400 });
    await eventually(() => call('GET', `/v1/client/fs/cat/${allocId}?path=alloc/logs/t.stdout.0`), (r) => r.text.endsWith('ready\n') && r.text.split('ready').length === 3);
    // No body: the running tasks.
    expect((await call('PUT', `/v1/client/allocation/${allocId}/restart`)).status).toBe(200);
    await eventually(() => taskState(allocId), (s) => s.State === 'running' && s.Restarts === before.Restarts + 2);
  });
});

describe('restart of all tasks', () => {
  it('runs a finished prestart task again and restarts the main task; the running-tasks restart leaves the prestart task alone', async () => {
    const spec = serviceJob('pre');
    // Not on the registered node without an agent (an earlier test's).
    (spec.Job as any).Constraints = [{ LTarget: '${node.unique.id}', RTarget: agent.nodeId, Operand: '=' }];
    const group = spec.Job.TaskGroups[0] as any;
    group.Tasks.unshift({ Name: 'setup', Driver: 'raw_exec', Lifecycle: { Hook: 'prestart', Sidecar: false }, Config: { command: '/bin/sh', args: ['-c', 'echo setup'] }, Resources: { CPU: 50, MemoryMB: 32 } });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const id = await readyAlloc('pre');
    const states = async () => (await call('GET', `/v1/allocation/${id}`)).body.TaskStates;
    await eventually(states, (s) => s.setup?.State === 'dead');

    expect((await call('PUT', `/v1/client/allocation/${id}/restart`)).status).toBe(200);
    await eventually(states, (s) => s.t.Restarts === 1 && s.t.State === 'running');
    expect((await states()).setup.Events.map((e: any) => e.Type)).not.toContain('Restart Signaled');

    expect((await call('PUT', `/v1/client/allocation/${id}/restart`, { AllTasks: true })).status).toBe(200);
    const after = await eventually(states, (s) => s.setup.Restarts === 1 && s.setup.State === 'dead' && s.t.Restarts === 2 && s.t.State === 'running');
    expect(after.setup.Events.map((e: any) => e.Type).slice(-4)).toEqual(['Restart Signaled', 'Restarting', 'Started', 'Terminated']);
    expect(after.setup.Events.at(-4).DisplayMessage).toBe('User requested all tasks to restart');
    expect(after.setup.Failed).toBe(false);
    expect((await call('GET', `/v1/allocation/${id}`)).body.ClientStatus).toBe('running');
    expect((await call('GET', `/v1/client/fs/cat/${id}?path=alloc/logs/setup.stdout.0`)).text).toBe('setup\nsetup\n');
    await call('DELETE', '/v1/job/pre');
  });
});

describe('the allocation file system', () => {
  it('list and stat with Nomad’s AllocFileInfo', async () => {
    const root = await call('GET', `/v1/client/fs/ls/${allocId}`);
    expect(root.status).toBe(200);
    expect(root.body.map((file: any) => file.Name)).toEqual(['alloc', 't']);
    // The executor's log, where Nomad's raw_exec keeps it.
    expect((await call('GET', `/v1/client/fs/cat/${allocId}?path=/t/executor.out`)).text).toMatch(/^\S+Z \[INFO\]  executor: launching command: command=\/bin\/sh args=\["-c",/);
    expect(root.body[0]).toEqual({ Name: 'alloc', IsDir: true, Size: expect.any(Number), FileMode: expect.stringMatching(/^drwx/), ModTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/) });
    const local = await call('GET', `/v1/client/fs/ls/${allocId}?path=/t/local`);
    expect(local.body.find((file: any) => file.Name === 'host-root')).toMatchObject({ FileMode: 'Lrwxrwxrwx', IsDir: false });

    // An answer longer than one channel frame comes in parts, joined in order.
    const many = await call('GET', `/v1/client/fs/ls/${allocId}?path=t/local/many`);
    expect(many.text.length).toBeGreaterThan(40_000);
    expect(many.body.map((file: any) => file.Name).sort()).toEqual(Array.from({ length: 400 }, (_, i) => `file-${i + 1}`).sort());

    const stat = await call('GET', `/v1/client/fs/stat/${allocId}?path=t/local/digits.txt`);
    expect(stat.body).toEqual({ Name: 'digits.txt', IsDir: false, Size: 10, FileMode: expect.stringMatching(/^-rw/), ModTime: expect.any(String), ContentType: 'text/plain; charset=utf-8' });
    expect((await call('GET', `/v1/client/fs/stat/${allocId}?path=alloc`)).body).toMatchObject({ Name: 'alloc', IsDir: true, ContentType: 'application/octet-stream' });

    expect(await call('GET', `/v1/client/fs/stat/${allocId}`)).toMatchObject({ status: 400, text: 'must provide a file name' });
    expect(await call('GET', `/v1/client/fs/ls/${allocId}?path=nope`)).toMatchObject({ status: 404, text: 'open nope: no such file or directory' });
    expect(await call('GET', `/v1/client/fs/stat/${allocId}?path=t/nope`)).toMatchObject({ status: 404, text: 'stat t/nope: no such file or directory' });
  });

  it('never leave the allocation directory, by .. or by a symlink', async () => {
    for (const path of ['..', '../..', 't/../../..', 't/local/host-root', 't/local/host-root/etc']) {
      expect(await call('GET', `/v1/client/fs/ls/${allocId}?path=${encodeURIComponent(path)}`)).toMatchObject({ status: 500, text: 'Path escapes the alloc directory' });
    }
    expect(await call('GET', `/v1/client/fs/stat/${allocId}?path=../../../etc/passwd`)).toMatchObject({ status: 500, text: 'Path escapes the alloc directory' });
    for (const op of ['cat', 'stream']) {
      for (const path of ['../../../etc/passwd', 't/local/host-root/etc/passwd']) {
        expect(await call('GET', `/v1/client/fs/${op}/${allocId}?path=${encodeURIComponent(path)}&follow=false`)).toMatchObject({ status: 400, text: 'Path escapes the alloc directory' });
      }
    }
    expect(await call('GET', `/v1/client/fs/cat/${allocId}?path=t/secrets/token`)).toMatchObject({ status: 500, text: 'Reading secret file prohibited: t/secrets/token' });
    // The path stays inside when `..` comes back down.
    expect(await call('GET', `/v1/client/fs/cat/${allocId}?path=t/../t/local/digits.txt`)).toMatchObject({ status: 200, text: '0123456789' });
  });

  it('cat and readat the bytes', async () => {
    const cat = await call('GET', `/v1/client/fs/cat/${allocId}?path=t/local/digits.txt`);
    expect(cat).toMatchObject({ status: 200, text: '0123456789' });
    expect(cat.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await call('GET', `/v1/client/fs/readat/${allocId}?path=t/local/digits.txt&offset=3&limit=4`)).toMatchObject({ status: 200, text: '3456' });
    expect(await call('GET', `/v1/client/fs/readat/${allocId}?path=t/local/digits.txt&offset=8`)).toMatchObject({ status: 200, text: '89' });
    expect(await call('GET', `/v1/client/fs/readat/${allocId}?path=t/local/digits.txt`)).toMatchObject({
      status: 400,
      text: 'error parsing offset: strconv.ParseInt: parsing "": invalid syntax',
    });
    expect(await call('GET', `/v1/client/fs/cat/${allocId}?path=t/local`)).toMatchObject({ status: 400, text: 'file "t/local" is a directory' });
    expect(await call('GET', `/v1/client/fs/cat/${allocId}?path=t/none`)).toMatchObject({ status: 400, text: 'stat t/none: no such file or directory' });
    expect(await call('GET', '/v1/client/fs/cat/')).toMatchObject({ status: 400, text: 'must provide a valid alloc id' });
  });

  it('stream Nomad’s frames, from the start or the end, and follow a growing file', async () => {
    const whole = await call('GET', `/v1/client/fs/stream/${allocId}?path=t/local/digits.txt&follow=false`);
    expect(whole.body).toEqual({ Offset: 10, Data: Buffer.from('0123456789').toString('base64'), File: 't/local/digits.txt' });
    const tail = await call('GET', `/v1/client/fs/stream/${allocId}?path=t/local/digits.txt&follow=false&origin=end&offset=3`);
    expect(tail.body).toEqual({ Offset: 10, Data: Buffer.from('789').toString('base64'), File: 't/local/digits.txt' });
    expect(await call('GET', `/v1/client/fs/stream/${allocId}?path=t/local/digits.txt&origin=middle`)).toMatchObject({ status: 400, text: 'origin must be start or end' });
    expect((await call('GET', `/v1/client/fs/stream/${allocId}?path=t/local/digits.txt&follow=maybe`)).status).toBe(400);

    // Follow the log while a signal makes the task write to it.
    const abort = new AbortController();
    const response = await fetch(`${base}/v1/client/fs/stream/${allocId}?path=alloc/logs/t.stdout.0&origin=end&offset=0`, { headers: root, signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    await call('POST', `/v1/client/allocation/${allocId}/signal`, { Task: 't', Signal: 'SIGHUP' });
    const deadline = Date.now() + 30_000;
    while (!text.includes(Buffer.from('got HUP\n').toString('base64')) && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    abort.abort();
    const frames = text.split(/(?<=\})(?=\{)/).map((frame) => JSON.parse(frame));
    const data = frames.filter((frame) => frame.Data);
    expect(data.map((frame) => Buffer.from(frame.Data, 'base64').toString()).join('')).toBe('got HUP\n');
    expect(data.at(-1)).toMatchObject({ File: 'alloc/logs/t.stdout.0', Offset: expect.any(Number) });
  });
});

interface ExecResult {
  frames: any[];
  code: number;
  reason: string;
}

function exec(query: string, input: unknown[] = [], headers: Record<string, string> = root): Promise<ExecResult> {
  return new Promise((resolve) => {
    const frames: any[] = [];
    const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/client/allocation/${allocId}/exec?${query}`, { headers });
    socket.on('open', () => input.forEach((frame) => socket.send(JSON.stringify(frame))));
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
    socket.on('close', (code, reason) => resolve({ frames, code, reason: reason.toString() }));
  });
}

const command = (argv: string[]) => `command=${encodeURIComponent(JSON.stringify(argv))}`;
const text = (frames: any[], stream: 'stdout' | 'stderr') =>
  frames.filter((frame) => frame[stream]?.data).map((frame) => Buffer.from(frame[stream].data, 'base64').toString()).join('');

describe('alloc exec', () => {
  it('runs a command in the task with stdin, and streams its output and exit code', async () => {
    const stdin = { stdin: { data: Buffer.from('hi\n').toString('base64') } };
    const result = await exec(`task=t&${command(['/bin/sh', '-c', 'read line; echo "got $line in $PWD"; echo oops >&2; exit 3'])}`, [stdin, { stdin: { close: true } }]);
    expect(result.code).toBe(1000);
    expect(text(result.frames, 'stdout')).toMatch(/^got hi in .*\/alloc\/[0-9a-f-]+\/t\n$/);
    expect(text(result.frames, 'stderr')).toBe('oops\n');
    expect(result.frames.slice(-3)).toEqual([{ stdout: { close: true } }, { stderr: { close: true } }, { exited: true, result: { exit_code: 3 } }]);
  });

  it('gives the command a terminal with tty=true', async () => {
    const result = await exec(`task=t&tty=true&${command(['/bin/sh', '-c', 'test -t 0 && test -t 1 && echo on-a-tty'])}`);
    expect(text(result.frames, 'stdout')).toContain('on-a-tty');
    expect(result.frames.at(-1)).toEqual({ exited: true, result: { exit_code: 0 } });
  });

  it('refuses as Nomad does', async () => {
    expect(await exec(`task=nope&${command(['true'])}`)).toMatchObject({ code: 1008, reason: 'unknown task name "nope"' });
    expect(await exec(command(['true']))).toMatchObject({ code: 1008, reason: 'must provide task name' });
    expect(await exec(`task=t&${command([])}`)).toMatchObject({ code: 1008, reason: 'command is not present' });
    expect((await call('GET', `/v1/client/allocation/${allocId}/exec?task=t&command=nope`)).status).toBe(400);
    // raw_exec runs on the host: alloc-exec alone is not enough.
    const execOnly = { 'X-Nomad-Token': await clientToken(bootstrap, 'exec-only', 'namespace "default" { capabilities = ["alloc-exec"] }') };
    expect(await exec(`task=t&${command(['true'])}`, [], execOnly)).toMatchObject({ code: 1008, reason: 'Permission denied' });
    const nodeExec = { 'X-Nomad-Token': await clientToken(bootstrap, 'node-exec', 'namespace "default" { capabilities = ["alloc-exec", "alloc-node-exec"] }') };
    expect((await exec(`task=t&${command(['true'])}`, [], nodeExec)).frames.at(-1)).toEqual({ exited: true, result: { exit_code: 0 } });
  });
});

describe('garbage collection', () => {
  it('collects a finished allocation only, and removes its directory', async () => {
    expect(await call('GET', `/v1/client/allocation/${allocId}/gc`)).toMatchObject({
      status: 500,
      text: 'No such allocation on client, or allocation not eligible for GC',
    });
    await call('DELETE', '/v1/job/ops');
    await eventually(() => call('GET', `/v1/allocation/${allocId}`), (r) => r.body.ClientStatus === 'complete');
    expect((await call('GET', `/v1/client/fs/ls/${allocId}`)).status).toBe(200);
    expect(await call('POST', `/v1/client/allocation/${allocId}/restart`, { AllTasks: true })).toMatchObject({ status: 500, text: 'restart of an alloc that should not run' });
    expect(await call('POST', `/v1/client/allocation/${allocId}/signal`, { Signal: 'SIGHUP' })).toMatchObject({
      status: 500,
      text: '1 error occurred:\n\t* Failed to signal task: t, err: Task not running\n\n',
    });
    expect(await call('GET', `/v1/client/allocation/${allocId}/gc`)).toMatchObject({ status: 200, text: '' });
    expect(await call('GET', `/v1/client/fs/ls/${allocId}`)).toMatchObject({ status: 404, text: `Unknown allocation "${allocId}"` });
    expect(await call('PUT', `/v1/client/gc?node_id=${agent.nodeId}`)).toMatchObject({ status: 200, text: '' });
  });
});

describe('a node whose agent has gone', () => {
  it('is out of reach: No path to node', async () => {
    expect((await call('GET', `/v1/client/stats?node_id=${agent.nodeId}`)).status).toBe(200);
    agentStopped = true;
    await agent.stop();
    const stats = await eventually(() => call('GET', `/v1/client/stats?node_id=${agent.nodeId}`), (r) => r.status === 404, 10_000);
    expect(stats).toMatchObject({ status: 404, text: 'No path to node' });
    expect(await call('PUT', `/v1/client/gc?node_id=${agent.nodeId}`)).toMatchObject({ status: 404, text: 'No path to node' });
  });
});
