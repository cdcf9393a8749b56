import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import type { TransactItem } from '../../storage/transact';
import type { Deployment } from '../structs/deployment';
import { byId, deploymentSk, jobPk } from './keys';

/** Deployment items: the Deployment's own fields in its job's partition, plus GSI2 by ID. */
type Item = Record<string, any>;

const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI2PK', 'GSI2SK'];

export function deploymentItem(deployment: Deployment): Item {
  return {
    ...deployment,
    PK: jobPk(deployment.Namespace, deployment.JobID),
    SK: deploymentSk(deployment.ID),
    ...byId('DEPLOYMENT', deployment.ID),
  };
}

export function deploymentFromItem(item: Item): Deployment {
  const deployment: Item = { ...item };
  for (const key of KEY_ATTRIBUTES) delete deployment[key];
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

/** A job ID's deployments, newest first (highest CreateIndex). */
export async function listJobDeployments(namespace: string, jobId: string): Promise<Deployment[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': jobPk(namespace, jobId), ':prefix': 'DEPLOYMENT#' },
    ConsistentRead: true,
  });
  return items.map(deploymentFromItem).sort((a, b) => b.CreateIndex - a.CreateIndex);
}

export async function findDeployment(deploymentId: string): Promise<Deployment | undefined> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': byId('DEPLOYMENT', deploymentId).GSI2PK },
    }),
  );
  const item = result.Items?.[0];
  return item ? deploymentFromItem(item) : undefined;
}
