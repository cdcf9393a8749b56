import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NomadAgent } from '../../../agent/nomad/agent';
import type { ApiServer } from '../../support/nomad-http';
import { useFreshResources } from '../../support/resources';

/**
 * An agent that dies: its node stops heartbeating, goes down when the scheduler's duties next
 * run, and its allocation is replaced on the other agent, which runs it. A two-second TTL keeps
 * the wait short (the modules read it when they load, hence the late imports).
 */
process.env.HEARTBEAT_TTL_SECONDS = '2';
const dataDir = mkdtempSync(join(tmpdir(), 'agent-failover-'));
let server: ApiServer;
let base: string;
const agents: Record<string, NomadAgent> = {};

async function allocs(jobId: string): Promise<any[]> {
  return (await (await fetch(`${base}/v1/job/${jobId}/allocations`)).json()) as any[];
}

beforeAll(async () => {
  await useFreshResources();
  const [{ startApiServer }, { startNomadAgent }, { createLogger }] = await Promise.all([
    import('../../support/nomad-http'),
    import('../../../agent/nomad/agent'),
    import('../../../agent/common/logger'),
  ]);
  server = await startApiServer('failover-worker');
  base = server.url;
  for (const name of ['a', 'b']) {
    agents[name] = startNomadAgent(
      { api: base, dataDir: join(dataDir, name), name, datacenter: 'dc1', nodePool: 'default', nodeClass: '', meta: {}, drivers: ['mock_driver'], address: '127.0.0.1', logLevel: 'error' },
      createLogger('error'),
    );
    await agents[name].ready;
  }
});

afterAll(async () => {
  await Promise.all(Object.values(agents).map((agent) => agent.stop()));
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an agent that dies', () => {
  it('has its node go down and its allocation replaced on the other agent', async () => {
    const job = { Job: { ID: 'survivor', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'mock_driver', Config: {}, Resources: { CPU: 10, MemoryMB: 10 } }] }] } };
    expect((await fetch(`${base}/v1/jobs`, { method: 'POST', body: JSON.stringify(job) })).status).toBe(200);
    await expect.poll(async () => (await allocs('survivor')).map((alloc) => alloc.ClientStatus), { timeout: 30_000 }).toEqual(['running']);
    const [first] = await allocs('survivor');
    const [doomed, survivor] = agents.a.nodeId === first.NodeID ? ['a', 'b'] : ['b', 'a'];

    await agents[doomed].stop();
    delete agents[doomed];
    // The duties run as the periodic Lambda would, until the missed heartbeat's TTL has passed.
    const { runSchedulerDuties } = await import('../../../shared/nomad/services/scheduler-duties');
    const nodeStatus = async () => {
      await runSchedulerDuties(Date.now());
      return ((await (await fetch(`${base}/v1/node/${first.NodeID}`)).json()) as any).Status;
    };
    await expect.poll(nodeStatus, { timeout: 30_000, interval: 250 }).toBe('down');
    await expect
      .poll(async () => (await allocs('survivor')).map((alloc) => `${alloc.NodeID === agents[survivor].nodeId ? survivor : doomed} ${alloc.ClientStatus}`).sort(), { timeout: 30_000 })
      .toEqual([`${doomed} lost`, `${survivor} running`].sort());
  }, 120_000);
});
