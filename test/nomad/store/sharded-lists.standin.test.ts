import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { countHeartbeatingNodes, countOpenEvals } from '../../../shared/nomad/store/cluster-counts';
import { listOpenEvals } from '../../../shared/nomad/store/evals';
import { evalSk, jobPk, nodeKey, nodeUsageKey } from '../../../shared/nomad/store/keys';
import { listExpiredNodes, listNodes } from '../../../shared/nomad/store/nodes';
import { useFreshResources } from '../../support/resources';
import { api, serviceJob, testNode } from '../../support/nomad';

/**
 * The whole-table lists every placement or evaluation writes (nodes with their usage, heartbeats,
 * open evaluations) are spread over shards: they still list everything in Nomad's order, and
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
});
