import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import type { Node } from '../structs/node';
import { NODES_LIST, nodeKey } from './keys';
import type { AllocClaim } from './allocs';

/**
 * Node items: the registered Node (its own fields) plus the capacity claimed on it by live
 * allocations (`Used`). Placements add to `Used` under the condition that the result still fits
 * the node, so no two schedulers can ever overcommit it; allocations leaving `Live` subtract.
 */
export interface StoredNode {
  node: Node;
  used: AllocClaim;
  /** Unix ms after which a node that has not heartbeated counts as down. */
  heartbeatExpiry?: number;
}

type Item = Record<string, any>;

const META_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'UsedCpu', 'UsedMemoryMB', 'UsedDiskMB', 'HeartbeatExpiry'];

export function storedNodeFromItem(item: Item): StoredNode {
  const node: Item = { ...item };
  for (const key of META_ATTRIBUTES) delete node[key];
  return {
    node: node as Node,
    used: {
      CpuShares: Number(item.UsedCpu ?? 0),
      MemoryMB: Number(item.UsedMemoryMB ?? 0),
      DiskMB: Number(item.UsedDiskMB ?? 0),
    },
    heartbeatExpiry: item.HeartbeatExpiry === undefined ? undefined : Number(item.HeartbeatExpiry),
  };
}

export async function readNode(nodeId: string): Promise<StoredNode | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: nodeKey(nodeId), ConsistentRead: true }));
  return result.Item ? storedNodeFromItem(result.Item) : undefined;
}

/** Every node, in ID order (GSI1). */
export async function listNodes(prefix?: string): Promise<StoredNode[]> {
  const values: Record<string, unknown> = { ':pk': NODES_LIST };
  let condition = 'GSI1PK = :pk';
  if (prefix) {
    values[':prefix'] = prefix;
    condition += ' AND begins_with(GSI1SK, :prefix)';
  }
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI1',
    KeyConditionExpression: condition,
    ExpressionAttributeValues: values,
  });
  return items.map(storedNodeFromItem);
}

/**
 * Writes a node's registration, keeping its claimed capacity and CreateIndex if it re-registers.
 * Returns the stored node as it is now.
 */
export async function upsertNode(node: Node): Promise<StoredNode> {
  const fields: Item = { ...node, GSI1PK: NODES_LIST, GSI1SK: node.ID };
  delete fields.CreateIndex;
  const names: Record<string, string> = { '#create': 'CreateIndex' };
  const values: Record<string, unknown> = { ':create': node.CreateIndex, ':zero': 0 };
  const sets = ['#create = if_not_exists(#create, :create)'];
  for (const counter of ['UsedCpu', 'UsedMemoryMB', 'UsedDiskMB']) {
    names[`#${counter}`] = counter;
    sets.push(`#${counter} = if_not_exists(#${counter}, :zero)`);
  }
  Object.entries(fields).forEach(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  });
  const result = await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: nodeKey(node.ID),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return storedNodeFromItem(result.Attributes!);
}
