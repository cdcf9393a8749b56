import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import type { TransactItem } from '../../storage/transact';
import { isActiveDeployment, type Deployment, type DeploymentStatusValue } from '../structs/deployment';
import { findItemById } from './find-by-id';
import { ACTIVE_DEPLOYMENTS, byId, deploymentSk, deploymentsByNamespace, jobPk, openEvalSortKey } from './keys';
import { queryJobItems } from './job-items';

/**
 * Deployment items: the Deployment's own fields in its job's partition, plus GSI1 by namespace in
 * creation order (`GET /v1/deployments`), GSI2 by ID and, while active, GSI3 `DEPLOYMENTS#active`
 * (swept for progress deadlines). Per-group counters
 * (PlacedAllocs, HealthyAllocs, UnhealthyAllocs, PlacedCanaries) move with ADD/list_append in the
 * same transactions as the allocations they count; a group's RequireProgressBy is absent until
 * its first placement starts the clock. Status changes are conditioned on the deployment still
 * being active, so a terminal deployment never changes again and the job's ActiveDeployments
 * counter moves exactly once.
 */
type Item = Record<string, any>;

const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK'];
const ACTIVE_STATUSES = ['running', 'paused', 'pending', 'initializing', 'blocked', 'unblocking'];

export function deploymentKey(deployment: Pick<Deployment, 'Namespace' | 'JobID' | 'ID'>) {
  return { PK: jobPk(deployment.Namespace, deployment.JobID), SK: deploymentSk(deployment.ID) };
}

function deploymentItem(deployment: Deployment): Item {
  const groups = Object.fromEntries(
    Object.entries(deployment.TaskGroups).map(([name, state]) => {
      const { RequireProgressBy, ...rest } = state;
      return [name, RequireProgressBy ? { ...rest, RequireProgressBy } : rest];
    }),
  );
  const item: Item = {
    ...deployment,
    TaskGroups: groups,
    ...deploymentKey(deployment),
    ...byId('DEPLOYMENT', deployment.ID),
    GSI1PK: deploymentsByNamespace(deployment.Namespace),
    GSI1SK: openEvalSortKey(deployment.CreateIndex, deployment.ID),
  };
  if (isActiveDeployment(deployment.Status)) {
    item.GSI3PK = ACTIVE_DEPLOYMENTS;
    item.GSI3SK = openEvalSortKey(deployment.CreateIndex, deployment.ID);
  }
  return item;
}

export function deploymentFromItem(item: Item): Deployment {
  const deployment: Item = { ...item };
  for (const key of KEY_ATTRIBUTES) delete deployment[key];
  for (const state of Object.values((deployment.TaskGroups ?? {}) as Record<string, Item>)) {
    state.RequireProgressBy ??= null;
    state.PlacedCanaries ??= null;
  }
  return deployment as Deployment;
}

/** Writes a deployment; `expectedModifyIndex` makes it a check-and-set on an existing one. */
export function putDeployment(deployment: Deployment, expectedModifyIndex?: number): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: deploymentItem(deployment),
      ConditionExpression: expectedModifyIndex === undefined ? 'attribute_not_exists(PK)' : 'ModifyIndex = :expected',
      ExpressionAttributeValues: expectedModifyIndex === undefined ? undefined : { ':expected': expectedModifyIndex },
    },
  };
}

export interface GroupCounters {
  placed?: number;
  healthy?: number;
  unhealthy?: number;
  canaries?: string[];
  /** Starts the group's progress clock if it has not started (RFC 3339). */
  startProgressBy?: string;
  /** Moves the group's progress deadline (RFC 3339). */
  progressBy?: string;
  promoted?: boolean;
}

export interface DeploymentChange {
  status?: DeploymentStatusValue;
  description?: string;
  groups?: Record<string, GroupCounters>;
}

/**
 * One update of an existing deployment. A status change requires the deployment to be active
 * (and leaves the active index when it becomes terminal); counters only require it to exist.
 */
export function changeDeployment(deployment: Pick<Deployment, 'Namespace' | 'JobID' | 'ID'>, change: DeploymentChange, index: number): TransactItem {
  const names: Record<string, string> = { '#modify': 'ModifyIndex' };
  const values: Record<string, unknown> = { ':modify': index };
  const sets = ['#modify = :modify'];
  const adds: string[] = [];
  const removes: string[] = [];
  let condition = 'attribute_exists(PK)';
  if (change.status) {
    Object.assign(names, { '#status': 'Status', '#description': 'StatusDescription' });
    Object.assign(values, { ':status': change.status, ':description': change.description ?? '' });
    sets.push('#status = :status', '#description = :description');
    const actives = ACTIVE_STATUSES.map((_, i) => `:active${i}`);
    ACTIVE_STATUSES.forEach((status, i) => (values[`:active${i}`] = status));
    condition += ` AND #status IN (${actives.join(', ')})`;
    if (!isActiveDeployment(change.status)) removes.push('GSI3PK', 'GSI3SK');
  } else if (change.description !== undefined) {
    names['#description'] = 'StatusDescription';
    values[':description'] = change.description;
    sets.push('#description = :description');
  }
  Object.entries(change.groups ?? {}).forEach(([group, counters], g) => {
    names['#groups'] = 'TaskGroups';
    const path = `#groups.#g${g}`;
    names[`#g${g}`] = group;
    const add = (field: string, value: number | undefined) => {
      if (!value) return;
      names[`#${field}`] = field;
      values[`:${field}${g}`] = value;
      adds.push(`${path}.#${field} :${field}${g}`);
    };
    add('PlacedAllocs', counters.placed);
    add('HealthyAllocs', counters.healthy);
    add('UnhealthyAllocs', counters.unhealthy);
    if (counters.canaries?.length) {
      names['#canaries'] = 'PlacedCanaries';
      values[`:canaries${g}`] = counters.canaries;
      values[':emptyList'] = [];
      sets.push(`${path}.#canaries = list_append(if_not_exists(${path}.#canaries, :emptyList), :canaries${g})`);
    }
    if (counters.startProgressBy || counters.progressBy) {
      names['#progress'] = 'RequireProgressBy';
      values[`:progress${g}`] = counters.progressBy ?? counters.startProgressBy;
      sets.push(
        counters.progressBy
          ? `${path}.#progress = :progress${g}`
          : `${path}.#progress = if_not_exists(${path}.#progress, :progress${g})`,
      );
    }
    if (counters.promoted) {
      names['#promoted'] = 'Promoted';
      values[':true'] = true;
      sets.push(`${path}.#promoted = :true`);
    }
  });
  const expression = [`SET ${sets.join(', ')}`];
  if (adds.length) expression.push(`ADD ${adds.join(', ')}`);
  if (removes.length) expression.push(`REMOVE ${removes.join(', ')}`);
  return {
    Update: {
      TableName: config().tableName,
      Key: deploymentKey(deployment),
      UpdateExpression: expression.join(' '),
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** A job ID's deployments, newest first (highest CreateIndex). */
export async function listJobDeployments(namespace: string, jobId: string): Promise<Deployment[]> {
  const items = await queryJobItems(namespace, jobId, 'DEPLOYMENT#');
  return items.map(deploymentFromItem).sort((a, b) => b.CreateIndex - a.CreateIndex);
}

/** One deployment, read consistently from its job's partition. */
export async function readDeployment(deployment: Pick<Deployment, 'Namespace' | 'JobID' | 'ID'>): Promise<Deployment | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: deploymentKey(deployment), ConsistentRead: true }));
  return result.Item ? deploymentFromItem(result.Item) : undefined;
}

/** By ID alone (GSI2): for `/v1/deployment/:id`. */
export async function findDeployment(deploymentId: string): Promise<Deployment | undefined> {
  const item = await findItemById('DEPLOYMENT', deploymentId);
  return item ? deploymentFromItem(item) : undefined;
}

/** Deployments not yet successful, failed or cancelled, oldest first (GSI3). */
export async function listActiveDeployments(): Promise<Deployment[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk',
    ExpressionAttributeValues: { ':pk': ACTIVE_DEPLOYMENTS },
  });
  return items.map(deploymentFromItem).filter((deployment) => isActiveDeployment(deployment.Status));
}

export interface DeploymentPage {
  deployments: Deployment[];
  /** Nomad's token `<CreateIndex>.<ID>` of the first deployment of the next page. */
  nextToken?: string;
}

/** A namespace's deployments in creation order (GSI1), paged in the store, filtered by ID prefix. */
export async function listDeployments(query: { namespace: string; prefix?: string; perPage: number; nextToken?: string; reverse: boolean }): Promise<DeploymentPage> {
  const values: Record<string, unknown> = { ':pk': deploymentsByNamespace(query.namespace) };
  let condition = 'GSI1PK = :pk';
  const token = query.nextToken ? /^(\d+)\.(.+)$/.exec(query.nextToken) : null;
  if (token) {
    values[':start'] = openEvalSortKey(Number(token[1]), token[2]);
    condition += query.reverse ? ' AND GSI1SK <= :start' : ' AND GSI1SK >= :start';
  }
  const wanted = query.perPage > 0 ? query.perPage + 1 : Infinity;
  const found: Deployment[] = [];
  let startKey: Item | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: config().tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        ScanIndexForward: !query.reverse,
        ExclusiveStartKey: startKey,
        Limit: Number.isFinite(wanted) ? Math.max(25, wanted - found.length) : undefined,
      }),
    );
    for (const item of result.Items ?? []) {
      const deployment = deploymentFromItem(item);
      if (query.prefix && !deployment.ID.startsWith(query.prefix)) continue;
      found.push(deployment);
      if (found.length >= wanted) break;
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey && found.length < wanted);
  if (found.length > query.perPage && query.perPage > 0) {
    const next = found.pop()!;
    return { deployments: found, nextToken: `${next.CreateIndex}.${next.ID}` };
  }
  return { deployments: found };
}
