import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../agent/common/logger';
import { startNomadAgent, type NomadAgent } from '../../../agent/nomad/agent';
import type { NomadAgentConfig } from '../../../agent/nomad/config';
import { loadNodeIdentity } from '../../../agent/nomad/node-identity';
import { callUrl, eventually, startApiServer, type ApiServer } from '../../support/nomad-http';
import { useFreshResources } from '../../support/resources';

/**
 * The agent against a real API server on a free port (the Hono app under @hono/node-server, with
 * WebSockets, and the worker fed from the queue): one real raw_exec process end to end, and the
 * rest on mock_driver.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'agent-e2e-'));
let server: ApiServer;
let base: string;
let agent: NomadAgent;

function agentConfig(dir: string): NomadAgentConfig {
  return {
    api: base,
    dataDir: dir,
    name: 'e2e',
    datacenter: 'dc1',
    nodePool: 'default',
    nodeClass: '',
    meta: { rack: 'r1' },
    drivers: ['raw_exec', 'mock_driver'],
    address: '127.0.0.1',
    logLevel: (process.env.AGENT_TEST_LOG as 'info') ?? 'error',
  };
}

const call = (method: string, path: string, body?: unknown) => callUrl(base, method, path, body);

function job(id: string, type: string, task: Record<string, unknown>, group: Record<string, unknown> = {}) {
  return { Job: { ID: id, Type: type, Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Resources: { CPU: 100, MemoryMB: 32 }, ...task }], ...group }] } };
}

async function onlyAlloc(jobId: string, status: string) {
  const allocs = await eventually(
    () => call('GET', `/v1/job/${jobId}/allocations`),
    (r) => r.body?.length === 1 && r.body[0].ClientStatus === status,
  );
  expect(allocs.body?.[0]?.ClientStatus).toBe(status);
  return allocs.body[0];
}

beforeAll(async () => {
  await useFreshResources();
  server = await startApiServer('e2e-worker');
  base = server.url;
  agent = startNomadAgent(agentConfig(join(dataDir, 'a1')), createLogger(process.env.AGENT_TEST_LOG ? 'debug' : 'error'));
  await agent.ready;
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the agent against the API', () => {
  it('registers a fingerprinted node that keeps its ID across restarts', async () => {
    const node = (await call('GET', `/v1/node/${agent.nodeId}`)).body;
    expect(node).toMatchObject({ Name: 'e2e', Datacenter: 'dc1', Status: 'ready', Meta: { rack: 'r1' } });
    expect(node.Attributes['kernel.name']).toBe(process.platform);
    expect(Number(node.Attributes['cpu.totalcompute'])).toBeGreaterThan(0);
    expect(node.Drivers.raw_exec).toMatchObject({ Detected: true, Healthy: true });
    expect(node.SecretID).toBeUndefined();

    expect(loadNodeIdentity(join(dataDir, 'a1')).id).toBe(agent.nodeId);
  });

  it('runs a raw_exec batch job to complete and serves its log', async () => {
    const spec = job('echo', 'batch', { Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', 'echo "hello from ${NOMAD_TASK_NAME}"; echo "$NOMAD_ALLOC_ID" >&2'] } });
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const alloc = await onlyAlloc('echo', 'complete');
    expect(alloc.NodeID).toBe(agent.nodeId);
    expect(alloc.TaskStates.t.Events.map((e: any) => e.Type)).toEqual(['Received', 'Task Setup', 'Started', 'Terminated']);
    expect(alloc.TaskStates.t).toMatchObject({ State: 'dead', Failed: false });

    const plain = await call('GET', `/v1/client/fs/logs/${alloc.ID}?task=t&type=stdout&plain=true`);
    expect(plain.text).toBe('hello from t\n');
    const stderr = await call('GET', `/v1/client/fs/logs/${alloc.ID}?task=t&type=stderr&plain=true`);
    expect(stderr.text).toBe(`${alloc.ID}\n`);
    const framed = await call('GET', `/v1/client/fs/logs/${alloc.ID}?task=t&type=stdout`);
    expect(framed.body).toEqual({ Offset: 13, Data: Buffer.from('hello from t\n').toString('base64'), File: 'alloc/logs/t.stdout.0' });
    const tail = await call('GET', `/v1/client/fs/logs/${alloc.ID}?task=t&type=stdout&plain=true&origin=end&offset=2`);
    expect(tail.text).toBe('t\n');
    expect((await call('GET', '/v1/job/echo')).body.Status).toBe('dead');
  });

  it('answers bad log requests as Nomad does', async () => {
    const alloc = (await call('GET', '/v1/job/echo/allocations')).body[0];
    expect(await call('GET', `/v1/client/fs/logs/${alloc.ID}?type=stdout`)).toMatchObject({ status: 400, text: 'must provide task name' });
    expect(await call('GET', `/v1/client/fs/logs/${alloc.ID}?task=t&type=both`)).toMatchObject({ status: 400, text: 'must provide log type (stdout/stderr)' });
    expect(await call('GET', `/v1/client/fs/logs/${alloc.ID}?task=t&type=stdout&origin=middle`)).toMatchObject({ status: 400, text: 'origin must be start or end' });
    expect((await call('GET', `/v1/client/fs/logs/${alloc.ID}?task=t&type=stdout&follow=maybe`)).status).toBe(400);
    expect(await call('GET', `/v1/client/fs/logs/${alloc.ID}?task=nope&type=stdout`)).toMatchObject({ status: 404, text: 'task group "g" does not have task with name "nope"' });
    expect((await call('GET', '/v1/client/fs/logs/00000000-0000-0000-0000-000000000000?task=t&type=stdout')).status).toBe(404);
  });

  it('follows a log while the task writes it and ends when the task is dead', async () => {
    // Long enough to be seen running on a busy machine; the follow's end is what the test waits for.
    const spec = job('chatty', 'batch', { Driver: 'mock_driver', Config: { run_for: '8s', stdout_string: 'tick\n', stdout_repeat: 4, stdout_repeat_duration: '300ms' } });
    await call('POST', '/v1/jobs', spec);
    const alloc = await onlyAlloc('chatty', 'running');
    const followed = await fetch(`${base}/v1/client/fs/logs/${alloc.ID}?task=t&type=stdout&follow=true`);
    const reader = followed.body!.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(first.done).toBe(false);
    let text = decoder.decode(first.value, { stream: true });
    // The first frames came while the task was still alive: this is following, not reading a finished log.
    expect((await call('GET', `/v1/allocation/${alloc.ID}`)).body.ClientStatus).toBe('running');
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    expect((await call('GET', `/v1/allocation/${alloc.ID}`)).body.TaskStates.t.State).toBe('dead');
    const frames = text.split(/(?<=\})(?=\{)/).map((frame) => JSON.parse(frame));
    const data = frames.filter((frame) => frame.Data).map((frame) => Buffer.from(frame.Data, 'base64').toString()).join('');
    expect(data).toBe('tick\n'.repeat(5));
    expect(frames.some((frame) => Object.keys(frame).length === 0)).toBe(true);
  });

  it('restarts and fails a mock task per its restart policy', async () => {
    const spec = job(
      'flaky',
      'batch',
      { Driver: 'mock_driver', Config: { run_for: '10ms', exit_code: 2 } },
      { RestartPolicy: { Attempts: 1, Interval: 60e9, Delay: 10e6, Mode: 'fail' }, ReschedulePolicy: { Attempts: 0, Unlimited: false, Interval: 0, Delay: 5e9, DelayFunction: 'constant', MaxDelay: 0 } },
    );
    await call('POST', '/v1/jobs', spec);
    const allocs = await eventually(() => call('GET', '/v1/job/flaky/allocations'), (r) => r.body?.[0]?.ClientStatus === 'failed');
    const state = allocs.body[0].TaskStates.t;
    expect(state).toMatchObject({ State: 'dead', Failed: true, Restarts: 1 });
    expect(state.Events.map((e: any) => e.Type)).toEqual(['Received', 'Task Setup', 'Started', 'Terminated', 'Restarting', 'Started', 'Terminated', 'Not Restarting']);
  });

  it('registers a service block, runs an action over the WebSocket, and deregisters on stop', async () => {
    const spec = job(
      'svc',
      'service',
      {
        Driver: 'mock_driver',
        Config: { exec_command: { stdout_string: 'pong\n', exit_code: 0 } },
        Services: [{ Name: '${NOMAD_JOB_ID}-api', PortLabel: 'http', Provider: 'nomad', Tags: ['api'] }],
        Actions: [{ Name: 'ping', Command: '/bin/echo', Args: ['ignored by the mock driver'] }],
      },
      { Networks: [{ ReservedPorts: [{ Label: 'http', Value: 28080 }] }] },
    );
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const alloc = await onlyAlloc('svc', 'running');
    const services = await eventually(() => call('GET', '/v1/job/svc/services'), (r) => r.body?.length === 1);
    expect(services.body[0]).toMatchObject({
      ID: `_nomad-task-${alloc.ID}-t-svc-api-http`,
      ServiceName: 'svc-api',
      AllocID: alloc.ID,
      NodeID: agent.nodeId,
      Address: '127.0.0.1',
      Port: 28080,
      Tags: ['api'],
      JobID: 'svc',
      Namespace: 'default',
    });
    expect((await call('GET', '/v1/services')).body).toEqual([{ Namespace: 'default', Services: [{ ServiceName: 'svc-api', Tags: ['api'] }] }]);
    expect((await call('GET', '/v1/service/svc-api')).body).toHaveLength(1);
    expect((await call('GET', '/v1/job/nope/services')).status).toBe(404);

    const frames: any[] = [];
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/job/svc/action?action=ping&alloc_id=${alloc.ID}&task=t&ws_handshake=true`);
      socket.on('open', () => socket.send(JSON.stringify({ version: 1, auth_token: '' })));
      socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(closed.code).toBe(1000);
    expect(frames).toEqual([
      { stdout: { data: Buffer.from('pong\n').toString('base64') } },
      { stdout: { close: true } },
      { stderr: { close: true } },
      { exited: true, result: { exit_code: 0 } },
    ]);

    const refused = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/job/svc/action?action=nope&allocID=${alloc.ID}&task=t`);
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(refused).toEqual({ code: 1008, reason: 'action nope not found' });
    expect((await call('GET', '/v1/job/svc/action?action=ping')).status).toBe(400);

    await call('DELETE', '/v1/job/svc');
    const stopped = await onlyAlloc('svc', 'complete');
    expect(stopped.TaskStates.t.Events.map((e: any) => e.Type).slice(-3)).toEqual(['Killing', 'Terminated', 'Killed']);
    expect((await call('GET', '/v1/job/svc/services')).body).toEqual([]);
  });
});
