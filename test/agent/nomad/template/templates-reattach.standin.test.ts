import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../agent/common/logger';
import { startNomadAgent, type NomadAgent } from '../../../../agent/nomad/agent';
import type { NomadAgentConfig } from '../../../../agent/nomad/config';
import { callUrl, eventually, startApiServer, type ApiServer } from '../../../support/nomad-http';
import { useFreshResources } from '../../../support/resources';

/**
 * Templates across an agent restart: the task keeps running under the new agent, which watches
 * its Variables again and restarts it when one changes.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'agent-tmpl-reattach-'));
let server: ApiServer;
let agent: NomadAgent | undefined;

const call = (method: string, path: string, body?: unknown) => callUrl(server.url, method, path, body);
const config = (stopTasksOnExit: boolean): NomadAgentConfig => ({
  api: server.url, dataDir, name: 'tmpl-reattach', datacenter: 'dc1', nodePool: 'default', nodeClass: '', meta: {}, drivers: ['raw_exec'], address: '127.0.0.1', logLevel: 'error', stopTasksOnExit,
});

beforeAll(async () => {
  await useFreshResources();
  server = await startApiServer('tmpl-reattach-worker');
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('templates across an agent restart', () => {
  it('keep watching the Variables of a task the restarted agent took up', async () => {
    expect((await call('PUT', '/v1/var/nomad/jobs/kept', { Items: { v: 'one' } })).status).toBe(200);
    agent = startNomadAgent(config(false), createLogger('error'));
    await agent.ready;
    const spec = {
      Job: {
        ID: 'kept', Datacenters: ['dc1'],
        TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Resources: { CPU: 100, MemoryMB: 32 },
          Config: { command: '/bin/sh', args: ['-c', 'echo "v=$(cat local/v)"; sleep 300'] },
          Templates: [{ EmbeddedTmpl: '{{ with nomadVar "nomad/jobs/kept" }}{{ .v }}{{ end }}', DestPath: 'local/v', Splay: 0 }] }] }],
      },
    };
    expect((await call('POST', '/v1/jobs', spec)).status).toBe(200);
    const allocs = await eventually(() => call('GET', '/v1/job/kept/allocations'), (r) => r.body?.[0]?.ClientStatus === 'running');
    const id = allocs.body[0].ID;
    const log = async () => (await call('GET', `/v1/client/fs/logs/${id}?task=t&type=stdout&plain=true`)).text;
    await expect.poll(log, { timeout: 30_000 }).toBe('v=one\n');

    await agent.stop();
    agent = startNomadAgent(config(true), createLogger('error'));
    await agent.ready;
    expect((await call('PUT', '/v1/var/nomad/jobs/kept', { Items: { v: 'two' } })).status).toBe(200);
    await expect.poll(log, { timeout: 30_000 }).toBe('v=one\nv=two\n');
    const alloc = (await call('GET', `/v1/allocation/${id}`)).body;
    expect(alloc.TaskStates.t).toMatchObject({ State: 'running', Restarts: 1 });
    expect(alloc.TaskStates.t.Events.filter((event: any) => event.Type === 'Restart Signaled').map((event: any) => event.DisplayMessage)).toEqual(['Template with change_mode restart re-rendered']);
    await call('DELETE', '/v1/job/kept');
  });
});
