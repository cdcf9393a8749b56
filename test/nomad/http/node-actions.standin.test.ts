import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';
import { liveAllocs } from '../../support/nomad-cluster';
import { CONTRACT, contractErrors } from '../../support/nomad-contract';

/** `POST /v1/node/:id/evaluate`, `POST /v1/node/:id/purge`, `GET /v1/nodes?os=true` and a drain with nothing to move. */
const { root } = aclForThisFile();
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);
const ONE = testNode(1, { Attributes: { 'kernel.name': 'linux', 'os.name': 'ubuntu' } });
const TWO = testNode(2);
const EMPTY = testNode(3, { Datacenter: 'dc2' });

const systemJob = { ID: 'sys', Type: 'system', Datacenters: ['dc1'], TaskGroups: [{ Name: 'agent', Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: 'sleep' }, Resources: { CPU: 10, MemoryMB: 10 } }] }] };

beforeAll(async () => {
  await useFreshResources();
  for (const node of [ONE, TWO, EMPTY]) expect((await call('PUT', '/v1/node/register', { Node: node })).status).toBe(200);
  expect((await call('POST', '/v1/jobs', { Job: serviceJob('web', 1, 100, 64) })).status).toBe(200);
  expect((await call('POST', '/v1/jobs', { Job: systemJob })).status).toBe(200);
  await drainEvalQueue();
});

describe('GET /v1/nodes flags', () => {
  it('adds Attributes with os.name only with os=true, right after ID', async () => {
    const plain = (await call('GET', '/v1/nodes')).body;
    expect(plain.every((stub: any) => !('Attributes' in stub))).toBe(true);
    const listed = await call('GET', '/v1/nodes?os=true&resources=true');
    const withOs = listed.body;
    const one = withOs.find((stub: any) => stub.ID === ONE.ID);
    expect(one.Attributes).toEqual({ 'os.name': 'ubuntu' });
    expect(Object.keys(one).slice(0, 3)).toEqual(['Address', 'ID', 'Attributes']);
    expect(one.NodeResources.Cpu.CpuShares).toBe(1000);
    expect(withOs.find((stub: any) => stub.ID === TWO.ID).Attributes).toEqual({ 'os.name': '' });
    if (CONTRACT) expect(contractErrors('GET', '/nodes', listed)).toEqual([]);
  });
});

describe('POST /v1/node/:id/evaluate', () => {
  it('creates node-update evaluations for the jobs on the node and the system jobs that fit it', async () => {
    const [web] = await liveAllocs('web');
    const result = await call('POST', `/v1/node/${web.alloc.NodeID}/evaluate`);
    expect(result.status, result.text).toBe(200);
    expect(result.body).toMatchObject({ HeartbeatTTL: 0, NodeModifyIndex: 0, LeaderRPCAddr: 'localhost:80', NumNodes: 3, KnownLeader: false, NextToken: '' });
    expect(result.body.Servers).toEqual([{ RPCAdvertiseAddr: 'localhost:80', RPCMajorVersion: 1, RPCMinorVersion: 1, Datacenter: 'dc1' }]);
    expect(result.body.EvalIDs).toHaveLength(2);
    expect(result.headers.get('X-Nomad-Index')).toBe(String(result.body.Index));
    expect(result.body.EvalCreateIndex).toBe(result.body.Index);
    for (const id of result.body.EvalIDs) {
      const evaluation = (await call('GET', `/v1/evaluation/${id}`)).body;
      expect(evaluation).toMatchObject({ TriggeredBy: 'node-update', NodeID: web.alloc.NodeID });
    }
    expect(new Set(await Promise.all(result.body.EvalIDs.map(async (id: string) => (await call('GET', `/v1/evaluation/${id}`)).body.JobID)))).toEqual(new Set(['web', 'sys']));
    await drainEvalQueue();
  });

  it('answers a missing node, GET and a token without node:write as Nomad does', async () => {
    const missing = await call('POST', '/v1/node/00000000-0000-0000-0000-000000000099/evaluate');
    expect([missing.status, missing.text]).toEqual([404, 'node not found']);
    expect((await call('GET', `/v1/node/${ONE.ID}/evaluate`)).status).toBe(405);
    const reader = await clientToken(root['X-Nomad-Token'], 'node-reader', 'node { policy = "read" }');
    expect((await api('POST', `/v1/node/${ONE.ID}/evaluate`, undefined, { 'X-Nomad-Token': reader })).status).toBe(403);
  });
});

describe('PUT /v1/node/:id/drain on an empty node', () => {
  it('completes at once', async () => {
    const drained = await call('PUT', `/v1/node/${EMPTY.ID}/drain`, { DrainSpec: { Deadline: 3600e9, IgnoreSystemJobs: false } });
    expect(drained.status, drained.text).toBe(200);
    const node = (await call('GET', `/v1/node/${EMPTY.ID}`)).body;
    expect(node.DrainStrategy).toBeNull();
    expect(node.LastDrain.Status).toBe('complete');
    expect(node.SchedulingEligibility).toBe('ineligible');
    expect(node.Events.map((event: any) => event.Message)).toContain('Node drain complete');
  });
});

describe('POST /v1/node/:id/purge', () => {
  it('deletes the node and has its allocations replaced as lost', async () => {
    const [web] = await liveAllocs('web');
    const victim = web.alloc.NodeID;
    const other = victim === ONE.ID ? TWO.ID : ONE.ID;
    const result = await call('PUT', `/v1/node/${victim}/purge`);
    expect(result.status, result.text).toBe(200);
    expect(result.body.NodeModifyIndex).toBe(result.body.Index);
    if (CONTRACT) expect(contractErrors('POST', '/node/{nodeId}/purge', result)).toEqual([]);
    expect(result.body.NumNodes).toBe(2);
    expect(result.body.EvalIDs).toHaveLength(2);
    expect((await call('GET', `/v1/node/${victim}`)).status).toBe(404);
    await drainEvalQueue();
    const lost = (await call('GET', `/v1/allocation/${web.alloc.ID}`)).body;
    expect(lost.ClientStatus).toBe('lost');
    const replacements = await liveAllocs('web');
    expect(replacements.map((stored) => stored.alloc.NodeID)).toEqual([other]);
    const missing = await call('POST', `/v1/node/${victim}/purge`);
    expect([missing.status, missing.text]).toEqual([404, 'node not found']);
  });
});
