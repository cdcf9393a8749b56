import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { countHeartbeatingNodes, countOpenEvals } from '../../../shared/nomad/store/cluster-counts';
import { listOpenEvals } from '../../../shared/nomad/store/evals';
import { allocKey } from '../../../shared/nomad/store/allocs';
import { evalSk, jobPk, nodeKey, nodeUsageKey } from '../../../shared/nomad/store/keys';
import { listExpiredNodes, listNodes } from '../../../shared/nomad/store/nodes';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';

/**
 * The whole-table lists every placement or evaluation writes (nodes with their usage, heartbeats,
 * open evaluations, the allocation and evaluation collections) are spread over shards: they still list everything in Nomad's order, and
 * what an earlier version filed under the unsharded key is still found.
 */
const NODES = 24;
const nodeId = (n: number) => `${(n * 2654435761 % 4294967296).toString(16).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;

beforeAll(async () => {
  await useFreshResources();
  for (let n = 1; n <= NODES; n++) expect((await api('PUT', '/v1/node/register', { Node: testNode(n, { ID: nodeId(n), Name: `shard-${n}` }) })).status).toBe(200);
});

const item = async (Key: Record<string, string>) => (await dynamo().send(new GetCommand({ TableName: config().tableName, Key, ConsistentRead: true }))).Item!;
const setKeys = (Key: Record<string, string>, keys: Record<string, unknown>) =>
  dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key,
      UpdateExpression: `SET ${Object.keys(keys).map((name, i) => `${name} = :v${i}`).join(', ')}`,
      ExpressionAttributeValues: Object.fromEntries(Object.values(keys).map((value, i) => [`:v${i}`, value])),
    }),
  );

describe('sharded lists', () => {
  it('spreads nodes over shards and lists them all in ID order, with prefixes', async () => {
    const partitions = new Set(await Promise.all(Array.from({ length: NODES }, async (_, i) => (await item(nodeKey(nodeId(i + 1)))).GSI1PK)));
    expect(partitions.size).toBeGreaterThan(4);
    for (const partition of partitions) expect(partition).toMatch(/^NODES#\d+$/);
    const ids = Array.from({ length: NODES }, (_, i) => nodeId(i + 1)).sort();
    const listed = (await api('GET', '/v1/nodes')).body.map((stub: any) => stub.ID);
    expect(listed).toEqual(ids);
    const prefix = ids[5].slice(0, 2);
    expect((await api('GET', `/v1/nodes?prefix=${prefix}`)).body.map((stub: any) => stub.ID)).toEqual(ids.filter((id) => id.startsWith(prefix)));
    expect(await countHeartbeatingNodes()).toBe(NODES);
  });

  it('still lists a node, its usage and its heartbeat filed under the unsharded keys of earlier versions', async () => {
    const id = nodeId(3);
    await setKeys(nodeKey(id), { GSI1PK: 'NODES', GSI4PK: 'HEARTBEATS', GSI4SK: `${'0'.repeat(14)}1#${id}` });
    await setKeys(nodeUsageKey(id), { GSI1PK: 'NODES', UsedCpu: 250 });
    const listed = await listNodes();
    expect(listed.map((stored) => stored.node.ID)).toEqual(Array.from({ length: NODES }, (_, i) => nodeId(i + 1)).sort());
    expect(listed.find((stored) => stored.node.ID === id)?.used.CpuShares).toBe(250);
    expect((await listExpiredNodes(Date.now())).map((stored) => stored.node.ID)).toEqual([id]);
    expect(await countHeartbeatingNodes()).toBe(NODES);
  });

  it('lists open evaluations of every shard, and of the unsharded key, in creation order', async () => {
    const evalIds: string[] = [];
    for (let j = 0; j < 6; j++) {
      const registered = await api('POST', '/v1/jobs', { Job: serviceJob(`pending-${j}`, 1) });
      expect(registered.status).toBe(200);
      evalIds.push(registered.body.EvalID);
    }
    const stored = await item({ PK: jobPk('default', 'pending-0'), SK: evalSk(evalIds[0]) });
    expect(stored.GSI3PK).toMatch(/^EVALS#pending#\d+$/);
    await setKeys({ PK: jobPk('default', 'pending-2'), SK: evalSk(evalIds[2]) }, { GSI3PK: 'EVALS#pending' });
    const pending = (await listOpenEvals('pending')).map((evaluation) => evaluation.ID);
    expect(pending).toEqual(evalIds);
    expect(await countOpenEvals('pending')).toBe(evalIds.length);
  });

  it('spreads allocations and evaluations over shards and pages them in creation order and by ID prefix', async () => {
    expect((await api('POST', '/v1/jobs', { Job: serviceJob('spread', 30, 10, 16) })).status).toBe(200);
    await drainEvalQueue();
    const allocs = (await api('GET', '/v1/job/spread/allocations')).body;
    expect(allocs).toHaveLength(30);
    const stored = await Promise.all(allocs.map((alloc: any) => item(allocKey({ Namespace: 'default', JobID: 'spread', ID: alloc.ID }))));
    const shards = new Set(stored.map((entry) => entry.GSI5PK));
    expect(shards.size).toBeGreaterThan(4);
    for (const entry of stored) {
      expect(entry.GSI5PK).toMatch(/^ALLOCS#default#\d+$/);
      expect(entry.GSI6PK).toBe(entry.GSI5PK.replace('ALLOCS#', 'ALLOCIDS#'));
    }

    const byCreation = [...allocs].sort((a: any, b: any) => a.CreateIndex - b.CreateIndex || (a.ID < b.ID ? -1 : 1)).map((alloc: any) => alloc.ID);
    const pages: string[] = [];
    let token = '';
    do {
      const page = await api('GET', `/v1/allocations?per_page=7${token ? `&next_token=${token}` : ''}`);
      pages.push(...page.body.map((stub: any) => stub.ID));
      token = page.headers.get('x-nomad-nexttoken') ?? '';
    } while (token);
    // The earlier tests' jobs have allocations too: all are listed once, this job's in creation order.
    const all = (await api('GET', '/v1/allocations')).body.map((stub: any) => stub.ID);
    expect(pages).toEqual(all);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((id: string) => byCreation.includes(id))).toEqual(byCreation);
    expect((await api('GET', '/v1/allocations?reverse=true')).body.map((stub: any) => stub.ID)).toEqual([...all].reverse());

    const prefix = allocs[0].ID.slice(0, 2);
    const byId = all.filter((id: string) => id.startsWith(prefix)).sort();
    expect((await api('GET', `/v1/allocations?prefix=${prefix}`)).body.map((stub: any) => stub.ID)).toEqual(byId);
    const evaluation = (await api('GET', '/v1/job/spread/evaluations')).body[0];
    expect((await item({ PK: jobPk('default', 'spread'), SK: evalSk(evaluation.ID) })).GSI5PK).toMatch(/^EVALS#default#\d+$/);
    expect((await api('GET', `/v1/evaluations?prefix=${evaluation.ID.slice(0, 4)}`)).body.map((entry: any) => entry.ID)).toEqual([evaluation.ID]);
  });
});
