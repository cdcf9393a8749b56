import { beforeAll, describe, expect, it } from 'vitest';
import { nextIndex } from '../../../shared/storage/index-clock';
import { replaceJobSummary } from '../../../shared/nomad/store/job-summary';
import { readJob } from '../../../shared/nomad/store/jobs';
import { readNode, transitionNode } from '../../../shared/nomad/store/nodes';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';
import { CONTRACT, contractErrors } from '../../support/nomad-contract';

/**
 * Cluster and agent discovery of the serverless control plane (`/v1/status/*`, `/v1/regions`,
 * `/v1/agent/*`, `/v1/metrics`) and the system endpoints (`/v1/system/gc`,
 * `/v1/system/reconcile/summaries`).
 */
const { root } = aclForThisFile();
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);
const NODE = testNode(1, { NodeResources: { Cpu: { CpuShares: 10_000 }, Memory: { MemoryMB: 10_000 }, Disk: { DiskMB: 10_000 } } });

const batchJob = (id: string) => ({ ...serviceJob(id, 1, 10, 10), Type: 'batch' });

async function report(allocs: { ID: string; ClientStatus: string }[]) {
  const result = await call('PUT', `/v1/node/${NODE.ID}/allocations`, { Allocs: allocs });
  expect(result.status, result.text).toBe(200);
}

const allocIds = async (jobId: string) => (await call('GET', `/v1/job/${jobId}/allocations?all=true`)).body.map((stub: any) => stub.ID);

beforeAll(async () => {
  await useFreshResources();
  expect((await call('PUT', '/v1/node/register', { Node: NODE })).status).toBe(200);
});

describe('status, regions and the agent', () => {
  it('answers the leader and peers as the address the API was reached at', async () => {
    const leader = await api('GET', '/v1/status/leader');
    expect([leader.status, leader.body]).toEqual([200, 'localhost:80']);
    expect((await api('GET', '/v1/status/peers')).body).toEqual(['localhost:80']);
    expect((await api('GET', 'http://nomad.example:4646/v1/status/leader')).body).toBe('nomad.example:4646');
    const regions = await api('GET', '/v1/regions');
    expect(regions.body).toEqual(['global']);
    if (CONTRACT) {
      expect(contractErrors('GET', '/status/leader', leader)).toEqual([]);
      expect(contractErrors('GET', '/regions', regions)).toEqual([]);
    }
    expect((await api('PUT', '/v1/status/leader')).status).toBe(405);
  });

  it('describes itself as a server-only agent that leads, and needs agent:read', async () => {
    const self = await call('GET', '/v1/agent/self');
    expect(self.status).toBe(200);
    expect(self.body.config).toMatchObject({ Region: 'global', Datacenter: 'dc1', ACL: { Enabled: true }, Server: { Enabled: true }, Client: { Enabled: false } });
    expect(self.body.config.Version.Version).toMatch(/^1\.10\./);
    expect(self.body.member).toMatchObject({ Name: 'jobplane.global', Addr: 'localhost', Port: 80, Status: 'alive' });
    expect(self.body.member.Tags).toMatchObject({ region: 'global', dc: 'dc1', port: '80', role: 'nomad' });
    expect(self.body.stats.nomad).toMatchObject({ leader: 'true', server: 'true', leader_addr: 'localhost:80' });
    const reader = await clientToken(root['X-Nomad-Token'], 'ns-reader', 'namespace "*" { policy = "read" }');
    expect((await api('GET', '/v1/agent/self', undefined, { 'X-Nomad-Token': reader })).status).toBe(403);
    const agent = await clientToken(root['X-Nomad-Token'], 'agent-reader', 'agent { policy = "read" }');
    expect((await api('GET', '/v1/agent/self', undefined, { 'X-Nomad-Token': agent })).status).toBe(200);
    expect((await api('GET', '/v1/agent/servers', undefined, { 'X-Nomad-Token': agent })).body).toEqual(['localhost:80']);
    const noAddress = await call('PUT', '/v1/agent/servers');
    expect([noAddress.status, noAddress.text]).toEqual([400, 'missing server address']);
    const set = await call('PUT', '/v1/agent/servers?address=localhost:80');
    expect([set.status, set.text]).toEqual([200, '']);
    expect((await api('PUT', '/v1/agent/servers?address=x', undefined, { 'X-Nomad-Token': agent })).status).toBe(403);
  });

  it('lists itself as the one server member (node:read)', async () => {
    const members = await call('GET', '/v1/agent/members');
    expect(members.body).toMatchObject({ ServerName: 'jobplane', ServerRegion: 'global', ServerDC: 'dc1' });
    expect(members.body.Members).toHaveLength(1);
    expect(members.body.Members[0]).toMatchObject({ Name: 'jobplane.global', Status: 'alive', Tags: { region: 'global', dc: 'dc1' } });
    expect((await api('GET', '/v1/agent/members')).status).toBe(403);
  });

  it('reports health of the server side from the store, and a client side it does not run as a failure', async () => {
    const health = await api('GET', '/v1/agent/health');
    expect([health.status, health.body]).toEqual([200, { server: { ok: true, message: 'ok' } }]);
    const client = await api('GET', '/v1/agent/health?type=client');
    expect(client.status).toBe(500);
    expect(client.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(JSON.parse(client.text)).toEqual({ client: { ok: false, message: 'client not enabled' } });
  });
});

describe('GET /v1/metrics', () => {
  it('reports the evaluation backlog and watched nodes as gauges, in JSON and Prometheus text', async () => {
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('huge', 1, 50_000, 64) })).status).toBe(200);
    await drainEvalQueue();
    const summary = await api('GET', '/v1/metrics');
    expect(summary.status).toBe(200);
    expect(summary.body.Timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d0 \+0000 UTC$/);
    const gauge = (name: string) => summary.body.Gauges.find((entry: any) => entry.Name === name)?.Value;
    expect(gauge('nomad.nomad.blocked_evals.total_blocked')).toBe(1);
    expect(gauge('nomad.nomad.broker.total_ready')).toBe(0);
    expect(gauge('nomad.nomad.heartbeat.active')).toBe(1);
    expect(gauge('nomad.runtime.alloc_bytes')).toBeGreaterThan(0);
    if (CONTRACT) expect(contractErrors('GET', '/metrics', summary)).toEqual([]);
    const text = await api('GET', '/v1/metrics?format=prometheus');
    expect(text.headers.get('Content-Type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text.text).toMatch(/^# TYPE nomad_nomad_blocked_evals_total_blocked gauge\nnomad_nomad_blocked_evals_total_blocked\{host="[^"]+"\} 1$/m);
    expect((await call('DELETE', '/v1/job/huge?purge=true')).status).toBe(200);
    await drainEvalQueue();
  });
});

describe('PUT /v1/system/gc', () => {
  it('collects dead batch jobs, stopped jobs and down nodes without allocations, and keeps what still runs', async () => {
    expect((await call('POST', '/v1/jobs', { Job: batchJob('done') })).status).toBe(200);
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('svc', 1, 10, 10) })).status).toBe(200);
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('old', 1, 10, 10) })).status).toBe(200);
    await drainEvalQueue();
    const [done] = await allocIds('done');
    const [svc] = await allocIds('svc');
    await report([{ ID: done, ClientStatus: 'complete' }, { ID: svc, ClientStatus: 'running' }]);
    expect((await call('DELETE', '/v1/job/old')).status).toBe(200);
    await drainEvalQueue();
    await report((await allocIds('old')).map((ID: string) => ({ ID, ClientStatus: 'complete' })));
    expect((await call('GET', '/v1/job/done')).body.Status).toBe('dead');
    expect((await call('GET', '/v1/job/old')).body.Status).toBe('dead');

    const spare = testNode(2);
    expect((await call('PUT', '/v1/node/register', { Node: spare })).status).toBe(200);
    expect(await transitionNode(spare.ID, { status: 'down' }, nextIndex())).toBeDefined();

    expect((await call('POST', '/v1/system/gc')).status).toBe(405);
    const token = await clientToken(root['X-Nomad-Token'], 'writer', 'namespace "*" { policy = "write" }');
    expect((await api('PUT', '/v1/system/gc', undefined, { 'X-Nomad-Token': token })).status).toBe(403);
    const gc = await call('PUT', '/v1/system/gc');
    expect([gc.status, gc.text]).toEqual([200, '']);

    for (const id of ['done', 'old']) {
      expect((await call('GET', `/v1/job/${id}`)).status).toBe(404);
      expect((await call('GET', `/v1/evaluations?job=${id}`)).body).toEqual([]);
    }
    expect((await call('GET', `/v1/allocation/${done}`)).status).toBe(404);
    expect((await call('GET', '/v1/job/svc')).status).toBe(200);
    expect((await call('GET', `/v1/allocation/${svc}`)).status).toBe(200);
    expect((await call('GET', '/v1/evaluations?job=svc')).body).toHaveLength(1);
    expect(await readNode(spare.ID)).toBeUndefined();
    expect(await readNode(NODE.ID)).toBeDefined();
  });
});

describe('PUT /v1/system/reconcile/summaries', () => {
  it('counts every job summary again from its allocations, keeping Queued', async () => {
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('sum', 2, 10, 10) })).status).toBe(200);
    await drainEvalQueue();
    const [first] = await allocIds('sum');
    await report([{ ID: first, ClientStatus: 'running' }]);
    const before = (await call('GET', '/v1/job/sum/summary')).body.Summary.app;
    expect(before).toMatchObject({ Running: 1, Starting: 1 });
    const record = (await readJob('default', 'sum'))!;
    const broken = { app: { ...before, Running: 7, Failed: 3 } };
    expect(await replaceJobSummary(record.job, broken, nextIndex())).toBe(true);
    expect((await call('GET', '/v1/job/sum/summary')).body.Summary.app.Running).toBe(7);

    expect((await call('POST', '/v1/system/reconcile/summaries')).status).toBe(405);
    const reconciled = await call('PUT', '/v1/system/reconcile/summaries');
    expect([reconciled.status, reconciled.text]).toEqual([200, '']);
    expect((await call('GET', '/v1/job/sum/summary')).body.Summary.app).toEqual(before);
  });
});
