import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import type { TransactItem } from '../../storage/transact';
import type { ResourceGroupRecord } from '../state/resource-groups';
import { recordOf } from './item';
import { projectPk, RESOURCE_GROUP_SK_PREFIX, resourceGroupKey } from './keys';

/** A project's resource groups, in its partition; every write is conditional on the version read. */
export async function getResourceGroup(projectId: number, key: string): Promise<ResourceGroupRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: resourceGroupKey(projectId, key), ConsistentRead: true }));
  return result.Item ? recordOf<ResourceGroupRecord>(result.Item) : undefined;
}

export async function listResourceGroups(projectId: number): Promise<ResourceGroupRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': RESOURCE_GROUP_SK_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => recordOf<ResourceGroupRecord>(item)).sort((a, b) => a.id - b.id);
}

/** Writes `after` if the stored group is still `before` (or, for a new group, there is none yet). */
export function putResourceGroup(before: ResourceGroupRecord | undefined, after: ResourceGroupRecord): TransactItem {
  const item = { ...resourceGroupKey(after.projectId, after.key), ...after, version: (before?.version ?? 0) + 1 };
  if (!before) return { Put: { TableName: config().tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } };
  return {
    Put: {
      TableName: config().tableName,
      Item: item,
      ConditionExpression: '#version = :version',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':version': before.version },
    },
  };
}
