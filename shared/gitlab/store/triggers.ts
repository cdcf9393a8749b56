import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { transact } from '../../storage/transact';
import type { TriggerRecord } from '../records';
import { recordOf } from './item';
import { projectPk, TRIGGER_SK_PREFIX, triggerKey, triggerTokenKey } from './keys';

/** Pipeline trigger tokens, in their project's partition, found by token through a lookup item written with them. */
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export async function listTriggers(projectId: number): Promise<TriggerRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': TRIGGER_SK_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => recordOf<TriggerRecord>(item));
}

export async function getTrigger(projectId: number, id: number): Promise<TriggerRecord | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: triggerKey(projectId, id), ConsistentRead: true }));
  return Item ? recordOf<TriggerRecord>(Item) : undefined;
}

export async function insertTrigger(trigger: TriggerRecord): Promise<void> {
  const table = config().tableName;
  await transact([
    { Put: { TableName: table, Item: { ...triggerKey(trigger.projectId, trigger.id), ...trigger }, ConditionExpression: 'attribute_not_exists(PK)' } },
    { Put: { TableName: table, Item: { ...triggerTokenKey(tokenHash(trigger.token)), projectId: trigger.projectId, triggerId: trigger.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
  ]);
}

/** Rewrites a trigger that still exists (description, last use). */
export async function putTrigger(trigger: TriggerRecord): Promise<void> {
  await transact([{ Put: { TableName: config().tableName, Item: { ...triggerKey(trigger.projectId, trigger.id), ...trigger }, ConditionExpression: 'attribute_exists(PK)' } }]);
}

export async function deleteTrigger(trigger: TriggerRecord): Promise<void> {
  const table = config().tableName;
  await transact([
    { Delete: { TableName: table, Key: triggerKey(trigger.projectId, trigger.id) } },
    { Delete: { TableName: table, Key: triggerTokenKey(tokenHash(trigger.token)) } },
  ]);
}

/** The trigger whose token this is (its lookup outlives a deleted project's partition, so the trigger itself is read). */
export async function findTriggerByToken(token: string): Promise<TriggerRecord | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: triggerTokenKey(tokenHash(token)), ConsistentRead: true }));
  if (!Item) return undefined;
  const trigger = await getTrigger(Number(Item.projectId), Number(Item.triggerId));
  return trigger?.token === token ? trigger : undefined;
}
