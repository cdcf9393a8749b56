import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { transact, TransactionConflict, unlessConditionFails } from '../../storage/transact';
import type { ProjectVariableRecord } from '../records';
import { recordOf } from './item';
import { projectPk, VARIABLE_SK_PREFIX, variableKey } from './keys';

/** A project's CI/CD variables, in its partition, unique by key and environment scope. */
export async function listProjectVariables(projectId: number): Promise<ProjectVariableRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': VARIABLE_SK_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => recordOf<ProjectVariableRecord>(item)).sort((a, b) => a.createdAt - b.createdAt || a.key.localeCompare(b.key));
}

/** False when the key is taken in that scope. */
export async function insertProjectVariable(variable: ProjectVariableRecord): Promise<boolean> {
  const written = await unlessConditionFails(
    dynamo().send(
      new PutCommand({
        TableName: config().tableName,
        Item: { ...variableKey(variable.projectId, variable.key, variable.environmentScope), ...variable },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
  return written !== undefined;
}

/** Replaces `before` by `after` (its scope may change); false when `after`'s key is taken in its new scope. */
export async function replaceProjectVariable(before: ProjectVariableRecord, after: ProjectVariableRecord): Promise<boolean> {
  const table = config().tableName;
  const oldKey = variableKey(before.projectId, before.key, before.environmentScope);
  const newKey = variableKey(after.projectId, after.key, after.environmentScope);
  if (oldKey.SK === newKey.SK) {
    await dynamo().send(new PutCommand({ TableName: table, Item: { ...newKey, ...after }, ConditionExpression: 'attribute_exists(PK)' }));
    return true;
  }
  try {
    await transact([
      { Put: { TableName: table, Item: { ...newKey, ...after }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { Delete: { TableName: table, Key: oldKey, ConditionExpression: 'attribute_exists(PK)' } },
    ]);
  } catch (error) {
    if (error instanceof TransactionConflict && error.failedConditions.includes(0)) return false;
    throw error;
  }
  return true;
}

export async function deleteProjectVariable(variable: ProjectVariableRecord): Promise<void> {
  await transact([{ Delete: { TableName: config().tableName, Key: variableKey(variable.projectId, variable.key, variable.environmentScope) } }]);
}
