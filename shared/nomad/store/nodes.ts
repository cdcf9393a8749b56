import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { touchCollection } from '../../storage/table-index';
import { isConditionFailure } from '../../storage/transact';
import type { Node, NodeStatus } from '../structs/node';
import { DOWN_NODES, HEARTBEATS, heartbeatSortKey, NODES_COLLECTION, NODES_LIST, nodeKey } from './keys';
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
  /** When evaluations for the allocations lost with this down node were last created (index). */
  lostEvalsAt?: number;
}

type Item = Record<string, any>;

const META_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI4PK', 'GSI4SK', 'UsedCpu', 'UsedMemoryMB', 'UsedDiskMB', 'HeartbeatExpiry', 'LostEvalsAt'];

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
    lostEvalsAt: item.LostEvalsAt === undefined ? undefined : Number(item.LostEvalsAt),
  };
}

/** The index keys that place a node among those heartbeating (ready) or those down. */
function livenessKeys(status: NodeStatus, expiry: number | undefined, nodeId: string): Item {
  if (status === 'down') return { GSI4PK: DOWN_NODES, GSI4SK: nodeId };
  return { GSI4PK: HEARTBEATS, GSI4SK: heartbeatSortKey(expiry ?? 0, nodeId) };
}

/** Records in the nodes collection index that a node changed (the worker's node cache watches it). */
export async function touchNodes(nodeId: string, index: number): Promise<void> {
  const touch = touchCollection(NODES_COLLECTION, nodeId, index).Update!;
  await dynamo().send(new UpdateCommand(touch as ConstructorParameters<typeof UpdateCommand>[0]));
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
export async function upsertNode(node: Node, heartbeatExpiry: number): Promise<StoredNode> {
  const fields: Item = { ...node, GSI1PK: NODES_LIST, GSI1SK: node.ID, HeartbeatExpiry: heartbeatExpiry, ...livenessKeys(node.Status, heartbeatExpiry, node.ID) };
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

/**
 * Moves a node's heartbeat deadline (Nomad's heartbeat timer reset). Returns the node, or
 * undefined if it is not registered.
 */
export async function extendHeartbeat(nodeId: string, expiry: number): Promise<StoredNode | undefined> {
  try {
    const result = await dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: nodeKey(nodeId),
        UpdateExpression: 'SET HeartbeatExpiry = :expiry, GSI4PK = if_not_exists(GSI4PK, :heartbeats), GSI4SK = :sort',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':expiry': expiry, ':heartbeats': HEARTBEATS, ':sort': heartbeatSortKey(expiry, nodeId) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return storedNodeFromItem(result.Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export interface NodeTransition {
  status?: NodeStatus;
  description?: string;
  eligibility?: 'eligible' | 'ineligible';
  drainStrategy?: unknown;
  lastDrain?: unknown;
  /** A Nomad node event to append (Events keeps the last ten). */
  event?: string;
  /** Only if the node is in this status now. */
  expectStatus?: NodeStatus;
  /** Only if its heartbeat expired before this time (unix ms). */
  expiredBefore?: number;
}

/** A conditional change of status, eligibility or drain; undefined if the condition failed. */
export async function transitionNode(nodeId: string, change: NodeTransition, index: number, now = Date.now()): Promise<StoredNode | undefined> {
  const names: Record<string, string> = { '#modify': 'ModifyIndex' };
  const values: Record<string, unknown> = { ':modify': index };
  const sets = ['#modify = :modify'];
  let condition = 'attribute_exists(PK)';
  if (change.status) {
    Object.assign(names, { '#status': 'Status', '#updated': 'StatusUpdatedAt', '#description': 'StatusDescription', '#g4pk': 'GSI4PK', '#g4sk': 'GSI4SK' });
    const keys = livenessKeys(change.status, now, nodeId);
    Object.assign(values, { ':status': change.status, ':updated': Math.floor(now / 1000), ':description': change.description ?? '', ':g4pk': keys.GSI4PK, ':g4sk': keys.GSI4SK });
    sets.push('#status = :status', '#updated = :updated', '#description = :description', '#g4pk = :g4pk', '#g4sk = :g4sk');
  }
  if (change.eligibility) {
    names['#eligibility'] = 'SchedulingEligibility';
    values[':eligibility'] = change.eligibility;
    sets.push('#eligibility = :eligibility');
  }
  if (change.drainStrategy !== undefined) {
    names['#drain'] = 'DrainStrategy';
    values[':drain'] = change.drainStrategy;
    sets.push('#drain = :drain');
  }
  if (change.lastDrain !== undefined) {
    names['#lastDrain'] = 'LastDrain';
    values[':lastDrain'] = change.lastDrain;
    sets.push('#lastDrain = :lastDrain');
  }
  if (change.event) {
    names['#events'] = 'Events';
    values[':event'] = [{ Message: change.event, Subsystem: 'Cluster', Details: null, Timestamp: new Date(now).toISOString(), CreateIndex: index }];
    values[':none'] = [];
    sets.push('#events = list_append(if_not_exists(#events, :none), :event)');
  }
  if (change.expectStatus) {
    names['#status'] = 'Status';
    values[':expect'] = change.expectStatus;
    condition += ' AND #status = :expect';
  }
  if (change.expiredBefore !== undefined) {
    names['#expiry'] = 'HeartbeatExpiry';
    values[':before'] = change.expiredBefore;
    condition += ' AND #expiry < :before';
  }
  try {
    const result = await dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: nodeKey(nodeId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    await touchNodes(nodeId, index);
    return storedNodeFromItem(result.Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Records that evaluations for a down node's lost allocations were created at `index`. */
export async function markLostEvals(nodeId: string, index: number): Promise<void> {
  await dynamo().send(
    new UpdateCommand({ TableName: config().tableName, Key: nodeKey(nodeId), UpdateExpression: 'SET LostEvalsAt = :index', ExpressionAttributeValues: { ':index': index } }),
  );
}

/** Nodes whose heartbeat deadline passed (GSI4), oldest first. */
export async function listExpiredNodes(now: number): Promise<StoredNode[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI4',
    KeyConditionExpression: 'GSI4PK = :pk AND GSI4SK < :now',
    ExpressionAttributeValues: { ':pk': HEARTBEATS, ':now': heartbeatSortKey(now, '') },
  });
  return items.map(storedNodeFromItem);
}

export async function listDownNodes(): Promise<StoredNode[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI4',
    KeyConditionExpression: 'GSI4PK = :pk',
    ExpressionAttributeValues: { ':pk': DOWN_NODES },
  });
  return items.map(storedNodeFromItem);
}
