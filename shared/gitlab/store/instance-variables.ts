import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { transact, unlessConditionFails } from '../../storage/transact';
import type { InstanceVariableRecord } from '../records';
import { recordOf } from './item';
import { INSTANCE_VARIABLES_PK, instanceVariableKey } from './keys';

/** The instance's CI/CD variables, in one partition, unique by key. */
export async function listInstanceVariables(): Promise<InstanceVariableRecord[]> {
  const items = await queryAll({ TableName: config().tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': INSTANCE_VARIABLES_PK }, ConsistentRead: true });
  return items.map((item) => recordOf<InstanceVariableRecord>(item)).sort((a, b) => a.createdAt - b.createdAt || a.key.localeCompare(b.key));
}

/** Writes a new variable (`mustBeNew`) or replaces one; false when it already was, or was not, there. */
export async function putInstanceVariable(variable: InstanceVariableRecord, options: { mustBeNew: boolean }): Promise<boolean> {
  const written = await unlessConditionFails(
    dynamo().send(
      new PutCommand({
        TableName: config().tableName,
        Item: { ...instanceVariableKey(variable.key), ...variable },
        ConditionExpression: options.mustBeNew ? 'attribute_not_exists(PK)' : 'attribute_exists(PK)',
      }),
    ),
  );
  return written !== undefined;
}

export async function deleteInstanceVariable(key: string): Promise<void> {
  await transact([{ Delete: { TableName: config().tableName, Key: instanceVariableKey(key) } }]);
}
