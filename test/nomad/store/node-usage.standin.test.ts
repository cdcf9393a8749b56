import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../shared/aws/clients';
import { countDynamoRequests } from '../../../shared/aws/request-count';
import { config } from '../../../shared/config';
import { nodeUsageKey } from '../../../shared/nomad/store/keys';
import { listNodes, nodeUsageChange } from '../../../shared/nomad/store/nodes';
import { transact } from '../../../shared/storage/transact';
import { useFreshResources } from '../../support/resources';
import { api, testNode } from '../../support/nomad';

/** Every placement writes a node's usage item, so it is in no index; the node list reads it by key. */
const nodeId = (n: number) => testNode(n).ID;

beforeAll(async () => {
  await useFreshResources();
  for (const n of [1, 2, 3]) expect((await api('PUT', '/v1/node/register', { Node: testNode(n) })).status).toBe(200);
});

const usageItem = async (n: number) => (await dynamo().send(new GetCommand({ TableName: config().tableName, Key: nodeUsageKey(nodeId(n)), ConsistentRead: true }))).Item!;
const place = (n: number, cpu: number) => transact([nodeUsageChange(nodeId(n), { CpuShares: cpu, MemoryMB: 10, DiskMB: 0 }, { limit: { CpuShares: 1000 - cpu, MemoryMB: 1000, DiskMB: 10_000 } })]);

describe('node usage items', () => {
  it('are in no index, and the node list still has every node with its usage', async () => {
    await place(1, 300);
    const item = await usageItem(1);
    expect(item.UsedCpu).toBe(300);
    expect(item.GSI1PK).toBeUndefined();
    expect(item.GSI1SK).toBeUndefined();
    const listed = await listNodes();
    expect(listed.map((stored) => stored.node.ID)).toEqual([1, 2, 3].map(nodeId));
    expect(listed.map((stored) => stored.used.CpuShares)).toEqual([300, 0, 0]);
    expect(listed[0].used.MemoryMB).toBe(10);
  });

  it('are read beside the list for the nodes listed before, fresh each time, and for a new node after it', async () => {
    await listNodes();
    await place(2, 200);
    expect((await api('PUT', '/v1/node/register', { Node: testNode(4) })).status).toBe(200);
    const { result: listed, requests } = await countDynamoRequests(() => listNodes());
    expect(listed.map((stored) => [stored.node.ID, stored.used.CpuShares])).toEqual([
      [nodeId(1), 300],
      [nodeId(2), 200],
      [nodeId(3), 0],
      [nodeId(4), 0],
    ]);
    // One read of the three known nodes' usage, one of the new node's.
    expect(requests.filter((request) => request === 'BatchGetItemCommand')).toHaveLength(2);
    const again = await countDynamoRequests(() => listNodes('00000000'));
    expect(again.result).toHaveLength(4);
    expect(again.requests.filter((request) => request === 'BatchGetItemCommand')).toHaveLength(1);
    // The API's lists show no usage and read none.
    const bare = await countDynamoRequests(() => listNodes(undefined, { usage: false }));
    expect(bare.result.map((stored) => stored.node.ID)).toEqual([1, 2, 3, 4].map(nodeId));
    expect(bare.requests.every((request) => request === 'QueryCommand')).toBe(true);
  });

  it('written by earlier versions into the list are read from it, and leave it at their next write', async () => {
    await dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: nodeUsageKey(nodeId(3)),
        UpdateExpression: 'SET GSI1PK = :pk, GSI1SK = :sk, UsedCpu = :cpu',
        ExpressionAttributeValues: { ':pk': 'NODES', ':sk': `${nodeId(3)}#usage`, ':cpu': 150 },
      }),
    );
    expect((await listNodes()).find((stored) => stored.node.ID === nodeId(3))?.used.CpuShares).toBe(150);
    await place(3, 50);
    const item = await usageItem(3);
    expect(item.UsedCpu).toBe(200);
    expect(item.GSI1PK).toBeUndefined();
    expect((await listNodes()).find((stored) => stored.node.ID === nodeId(3))?.used.CpuShares).toBe(200);
  });
});
