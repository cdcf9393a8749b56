import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { queryAll } from '../../storage/query-all';
import { touchCollection } from '../../storage/table-index';
import { transact, TransactionConflict, unlessConditionFails, type TransactItem } from '../../storage/transact';
import type { Node, NodeStatus } from '../structs/node';
import { DOWN_NODES, heartbeatSortKey, heartbeatsKey, heartbeatsPartitions, NODE_USAGE_SK, NODES_COLLECTION, nodeKey, nodesListKey, nodesListPartitions, nodeUsageKey } from './keys';
import type { AllocClaim, StoredNode } from '../structs/cluster-state';
import { queryListItems } from './list-items';

export type { StoredNode };

/**
 * Nodes are two items in one partition:
 * - the node item: the registered Node (its own fields), its heartbeat deadline and liveness index;
 * - the usage item: the capacity claimed on the node by live allocations (`Used*`), with a copy of
 *   what decides whether it may take more (status, eligibility, draining). Placements add to it
 *   under the condition that the result still fits and the node still takes work, so no two
 *   schedulers can ever overcommit a node; allocations leaving `Live` subtract. It is kept small
 *   because every placement writes it, and kept out of every index: an index entry would cost
 *   each placement one more write unit (docs/scale.md). The node item carries GSI1 keys
 *   (`NODES#<shard>` / `<id>`, the shard a hash of the node ID, keys.ts), one query per shard
 *   lists nodes; their usage items are read by key beside that query (listNodes).
 */
type Item = Record<string, any>;

const META_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI4PK', 'GSI4SK', 'UsedCpu', 'UsedMemoryMB', 'UsedDiskMB', 'HeartbeatExpiry', 'LostEvalsAt'];
/** The GSI1 keys earlier versions gave usage items; every usage write now drops them. */
const OLD_USAGE_INDEX_KEYS = ['GSI1PK', 'GSI1SK'];

function usageOf(item: Item | undefined): AllocClaim {
  return { CpuShares: Number(item?.UsedCpu ?? 0), MemoryMB: Number(item?.UsedMemoryMB ?? 0), DiskMB: Number(item?.UsedDiskMB ?? 0) };
}

/** A node from its node item and (if read) its usage item. */
export function storedNodeFromItems(item: Item, usage?: Item): StoredNode {
  const node: Item = { ...item };
  for (const key of META_ATTRIBUTES) delete node[key];
  return {
    node: node as Node,
    // Nodes registered before usage items existed kept their counters on the node item.
    used: usageOf(usage ?? item),
    heartbeatExpiry: item.HeartbeatExpiry === undefined ? undefined : Number(item.HeartbeatExpiry),
    lostEvalsAt: item.LostEvalsAt === undefined ? undefined : Number(item.LostEvalsAt),
  };
}

/** The index keys that place a node among those heartbeating (ready) or those down. */
function livenessKeys(status: NodeStatus, expiry: number | undefined, nodeId: string): Item {
  if (status === 'down') return { GSI4PK: DOWN_NODES, GSI4SK: nodeId };
  return { GSI4PK: heartbeatsKey(nodeId), GSI4SK: heartbeatSortKey(expiry ?? 0, nodeId) };
}

/** Whether the node takes new allocations, as the usage item records it for the plan applier. */
function admission(node: Pick<Node, 'Status' | 'SchedulingEligibility' | 'DrainStrategy'>): Item {
  return { Status: node.Status, SchedulingEligibility: node.SchedulingEligibility, Draining: !!node.DrainStrategy };
}

/** Sets every attribute of `fields`, and those of `initial` only where the item has none yet; removes `remove`. */
function setAttributes(key: Item, fields: Item, initial: Item = {}, remove: string[] = []): TransactItem {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  Object.entries(fields).forEach(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  });
  Object.entries(initial).forEach(([name, value], i) => {
    names[`#i${i}`] = name;
    values[`:i${i}`] = value;
    sets.push(`#i${i} = if_not_exists(#i${i}, :i${i})`);
  });
  remove.forEach((name, i) => {
    names[`#r${i}`] = name;
  });
  const removes = remove.length > 0 ? ` REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : '';
  return {
    Update: {
      TableName: config().tableName,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}${removes}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

function usageUpdate(nodeId: string, fields: Item, initial?: AllocClaim): TransactItem {
  const counters = initial && { UsedCpu: initial.CpuShares, UsedMemoryMB: initial.MemoryMB, UsedDiskMB: initial.DiskMB };
  return setAttributes(nodeUsageKey(nodeId), fields, counters, OLD_USAGE_INDEX_KEYS);
}

/** The claimed-capacity change of a transaction on one node; `admit` adds its conditions. */
export function nodeUsageChange(nodeId: string, net: AllocClaim, admit?: { limit: AllocClaim }): TransactItem {
  const names: Record<string, string> = { '#cpu': 'UsedCpu', '#mem': 'UsedMemoryMB', '#disk': 'UsedDiskMB', '#g1pk': OLD_USAGE_INDEX_KEYS[0], '#g1sk': OLD_USAGE_INDEX_KEYS[1] };
  const values: Record<string, unknown> = { ':cpu': net.CpuShares, ':mem': net.MemoryMB, ':disk': net.DiskMB };
  let condition = 'attribute_exists(PK)';
  if (admit) {
    Object.assign(names, { '#status': 'Status', '#eligibility': 'SchedulingEligibility', '#draining': 'Draining' });
    Object.assign(values, {
      ':ready': 'ready',
      ':eligible': 'eligible',
      ':false': false,
      ':cpuLimit': admit.limit.CpuShares,
      ':memLimit': admit.limit.MemoryMB,
      ':diskLimit': admit.limit.DiskMB,
    });
    condition += ' AND #status = :ready AND #eligibility = :eligible AND #draining = :false AND #cpu <= :cpuLimit AND #mem <= :memLimit AND #disk <= :diskLimit';
  }
  return {
    Update: {
      TableName: config().tableName,
      Key: nodeUsageKey(nodeId),
      UpdateExpression: 'ADD #cpu :cpu, #mem :mem, #disk :disk REMOVE #g1pk, #g1sk',
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

export async function readNode(nodeId: string): Promise<StoredNode | undefined> {
  const result = await dynamo().send(
    new QueryCommand({ TableName: config().tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': nodeKey(nodeId).PK }, ConsistentRead: true }),
  );
  return nodesFromItems(result.Items ?? [])[0];
}

/** Several nodes with their usage, both items of each in one BatchGet; nodes not found are absent. */
export async function readNodes(nodeIds: string[]): Promise<StoredNode[]> {
  return nodesFromItems(await batchGet(nodeIds.flatMap((id) => [nodeKey(id), nodeUsageKey(id)]), { consistent: true }));
}

/** Usage items by node ID, eventually consistent like the list they complete. */
function readUsageItems(nodeIds: string[]): Promise<Item[]> {
  return batchGet(nodeIds.map(nodeUsageKey));
}

/** The nodes the last full listing of this process found: their usage is read beside the next one. */
let lastListed: string[] = [];

/**
 * Every node with its usage, in ID order (GSI1: every shard of the list, merged). The usage of
 * the nodes listed last time is read in the same round trip as the list; only nodes new since
 * (and a process's first listing) take a second one. With `usage: false` (the API's lists, which
 * show none) no usage item is read and `used` is zero.
 */
export async function listNodes(prefix?: string, options: { usage?: boolean } = {}): Promise<StoredNode[]> {
  const withUsage = options.usage !== false;
  const known = !withUsage ? [] : prefix ? lastListed.filter((id) => id.startsWith(prefix)) : lastListed;
  const [shards, knownUsage] = await Promise.all([Promise.all(nodesListPartitions().map((list) => queryListItems(list, prefix))), readUsageItems(known)]);
  const items = shards.flat().sort((a, b) => (a.GSI1SK < b.GSI1SK ? -1 : a.GSI1SK > b.GSI1SK ? 1 : 0));
  const nodes = items.filter((item) => item.SK !== NODE_USAGE_SK);
  if (!withUsage) return nodes.map((item) => storedNodeFromItems(item, {}));
  // Usage items of earlier versions are still in the list until their next write.
  const usage = new Map([...items.filter((item) => item.SK === NODE_USAGE_SK), ...knownUsage].map((item) => [item.PK as string, item]));
  const missing = nodes.filter((item) => !usage.has(item.PK)).map((item) => item.ID as string);
  for (const item of await readUsageItems(missing)) usage.set(item.PK, item);
  if (!prefix) lastListed = nodes.map((item) => item.ID as string);
  return nodes.map((item) => storedNodeFromItems(item, usage.get(item.PK)));
}

/** Pairs node items with their usage items. */
function nodesFromItems(items: Item[]): StoredNode[] {
  const usage = new Map(items.filter((item) => item.SK === NODE_USAGE_SK).map((item) => [item.PK as string, item]));
  return items.filter((item) => item.SK !== NODE_USAGE_SK).map((item) => storedNodeFromItems(item, usage.get(item.PK)));
}

/** Commits, retrying transient conflicts; false if a condition did not hold. */
async function transactOrMiss(items: TransactItem[]): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await transact(items);
      return true;
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
      if (!error.transient) return false;
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  }
}

/**
 * Writes a node's registration, keeping its claimed capacity and CreateIndex if it re-registers,
 * and moves the nodes collection index (the worker's node cache watches it) in the same
 * transaction.
 */
export async function upsertNode(node: Node, heartbeatExpiry: number, previousUsage?: AllocClaim): Promise<void> {
  const { CreateIndex, ...fields } = node;
  await transact([
    setAttributes(
      nodeKey(node.ID),
      { ...fields, GSI1PK: nodesListKey(node.ID), GSI1SK: node.ID, HeartbeatExpiry: heartbeatExpiry, ...livenessKeys(node.Status, heartbeatExpiry, node.ID) },
      { CreateIndex },
    ),
    usageUpdate(node.ID, admission(node), previousUsage ?? { CpuShares: 0, MemoryMB: 0, DiskMB: 0 }),
    touchCollection(NODES_COLLECTION, node.ID, node.ModifyIndex),
  ]);
}

/**
 * Moves a node's heartbeat deadline (Nomad's heartbeat timer reset). Returns the node, or
 * undefined if it is not registered.
 */
export async function extendHeartbeat(nodeId: string, expiry: number): Promise<Node | undefined> {
  const result = await unlessConditionFails(
    dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: nodeKey(nodeId),
        UpdateExpression: 'SET HeartbeatExpiry = :expiry, GSI4PK = if_not_exists(GSI4PK, :heartbeats), GSI4SK = :sort',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':expiry': expiry, ':heartbeats': heartbeatsKey(nodeId), ':sort': heartbeatSortKey(expiry, nodeId) },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return result && storedNodeFromItems(result.Attributes!).node;
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

/**
 * A conditional change of status, eligibility or drain, written to the node and its usage item
 * together; undefined if the condition failed.
 */
export async function transitionNode(nodeId: string, change: NodeTransition, index: number, now = Date.now()): Promise<StoredNode | undefined> {
  const names: Record<string, string> = { '#modify': 'ModifyIndex' };
  const values: Record<string, unknown> = { ':modify': index };
  const sets = ['#modify = :modify'];
  const admissionFields: Item = {};
  let condition = 'attribute_exists(PK)';
  if (change.status) {
    Object.assign(names, { '#status': 'Status', '#updated': 'StatusUpdatedAt', '#description': 'StatusDescription', '#g4pk': 'GSI4PK', '#g4sk': 'GSI4SK' });
    const keys = livenessKeys(change.status, now, nodeId);
    Object.assign(values, { ':status': change.status, ':updated': Math.floor(now / 1000), ':description': change.description ?? '', ':g4pk': keys.GSI4PK, ':g4sk': keys.GSI4SK });
    sets.push('#status = :status', '#updated = :updated', '#description = :description', '#g4pk = :g4pk', '#g4sk = :g4sk');
    admissionFields.Status = change.status;
  }
  if (change.eligibility) {
    names['#eligibility'] = 'SchedulingEligibility';
    values[':eligibility'] = change.eligibility;
    sets.push('#eligibility = :eligibility');
    admissionFields.SchedulingEligibility = change.eligibility;
  }
  if (change.drainStrategy !== undefined) {
    names['#drain'] = 'DrainStrategy';
    values[':drain'] = change.drainStrategy;
    sets.push('#drain = :drain');
    admissionFields.Draining = !!change.drainStrategy;
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
  const items: TransactItem[] = [
    {
      Update: {
        TableName: config().tableName,
        Key: nodeKey(nodeId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ];
  if (Object.keys(admissionFields).length > 0) items.push(usageUpdate(nodeId, admissionFields));
  items.push(touchCollection(NODES_COLLECTION, nodeId, index));
  if (!(await transactOrMiss(items))) return undefined;
  return readNode(nodeId);
}

/** Records that evaluations for a down node's lost allocations were created at `index`. */
export async function markLostEvals(nodeId: string, index: number): Promise<void> {
  await dynamo().send(
    new UpdateCommand({ TableName: config().tableName, Key: nodeKey(nodeId), UpdateExpression: 'SET LostEvalsAt = :index', ExpressionAttributeValues: { ':index': index } }),
  );
}

/** Nodes whose heartbeat deadline passed (GSI4, every shard), oldest first; without their usage. */
export async function listExpiredNodes(now: number): Promise<StoredNode[]> {
  const shards = await Promise.all(
    heartbeatsPartitions().map((pk) =>
      queryAll({
        TableName: config().tableName,
        IndexName: 'GSI4',
        KeyConditionExpression: 'GSI4PK = :pk AND GSI4SK < :now',
        ExpressionAttributeValues: { ':pk': pk, ':now': heartbeatSortKey(now, '') },
      }),
    ),
  );
  const items = shards.flat().sort((a, b) => (a.GSI4SK < b.GSI4SK ? -1 : a.GSI4SK > b.GSI4SK ? 1 : 0));
  return items.map((item) => storedNodeFromItems(item, {}));
}

/** Nodes that are down, with their usage. */
export async function listDownNodes(): Promise<StoredNode[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI4',
    KeyConditionExpression: 'GSI4PK = :pk',
    ExpressionAttributeValues: { ':pk': DOWN_NODES },
  });
  const usage = await batchGet(items.map((item) => nodeUsageKey(item.ID)));
  const usageByNode = new Map(usage.map((entry) => [entry.PK as string, entry]));
  return items.map((item) => storedNodeFromItems(item, usageByNode.get(item.PK)));
}
