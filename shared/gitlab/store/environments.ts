import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { unlessConditionFails } from '../../storage/transact';
import type { DeploymentRecord, EnvironmentRecord } from '../state/environments';
import { recordOf } from './item';
import { DEPLOYMENT_SK_PREFIX, deploymentKey, ENVIRONMENT_SK_PREFIX, environmentKey, projectPk } from './keys';

/** A project's environments and deployments, in its partition (so they go with the project). */
export async function getEnvironment(projectId: number, name: string): Promise<EnvironmentRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: environmentKey(projectId, name), ConsistentRead: true }));
  return result.Item ? recordOf<EnvironmentRecord>(result.Item) : undefined;
}

export async function listEnvironments(projectId: number): Promise<EnvironmentRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': ENVIRONMENT_SK_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => recordOf<EnvironmentRecord>(item)).sort((a, b) => a.id - b.id);
}

/** Creates the environment unless it exists; answers the stored one. */
export async function ensureEnvironment(environment: EnvironmentRecord): Promise<EnvironmentRecord> {
  const written = await unlessConditionFails(
    dynamo().send(new PutCommand({ TableName: config().tableName, Item: { ...environmentKey(environment.projectId, environment.name), ...environment }, ConditionExpression: 'attribute_not_exists(PK)' })),
  );
  return written !== undefined ? environment : (await getEnvironment(environment.projectId, environment.name))!;
}

/** What a new job of the environment changes: its url, tier and `auto_stop_in`, or its stop job. */
export async function updateEnvironment(projectId: number, name: string, changes: Partial<Pick<EnvironmentRecord, 'externalUrl' | 'tier' | 'autoStopIn' | 'stopJobId' | 'stoppedAt'>>): Promise<void> {
  const entries = Object.entries({ ...changes, updatedAt: Date.now() });
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: environmentKey(projectId, name),
      UpdateExpression: `SET ${entries.map((_, i) => `#k${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(entries.map(([key], i) => [`#k${i}`, key])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
      ConditionExpression: 'attribute_exists(PK)',
    }),
  );
}

/** The project's next deployment iid (a counter item in its partition). */
export async function nextDeploymentIid(projectId: number): Promise<number> {
  const result = await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: { PK: projectPk(projectId), SK: 'DEPLOYMENTIID' },
      UpdateExpression: 'ADD #value :one',
      ExpressionAttributeNames: { '#value': 'Value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(result.Attributes!.Value);
}

export async function putDeployment(deployment: DeploymentRecord): Promise<void> {
  await dynamo().send(new PutCommand({ TableName: config().tableName, Item: { ...deploymentKey(deployment.projectId, deployment.id), ...deployment } }));
}

export async function listDeployments(projectId: number): Promise<DeploymentRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': DEPLOYMENT_SK_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => recordOf<DeploymentRecord>(item));
}

/** The environment and its deployments go (GitLab destroys them with it). */
export async function deleteEnvironment(environment: EnvironmentRecord, deployments: readonly DeploymentRecord[]): Promise<void> {
  const keys = [environmentKey(environment.projectId, environment.name), ...deployments.map((deployment) => deploymentKey(deployment.projectId, deployment.id))];
  for (const Key of keys) await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key }));
}
