import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { heartbeatsPartitions, openEvalsPartitions } from './keys';

/**
 * Cluster-wide figures read from the indexes that already exist, for `/v1/metrics` and
 * `/v1/agent/health`: counts only (DynamoDB's `Select: COUNT`, no items come back).
 */
async function count(input: Omit<QueryCommandInput, 'TableName' | 'Select'>): Promise<number> {
  let total = 0;
  let startKey: Record<string, any> | undefined;
  do {
    const result = await dynamo().send(new QueryCommand({ ...input, TableName: config().tableName, Select: 'COUNT', ExclusiveStartKey: startKey }));
    total += result.Count ?? 0;
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return total;
}

/** Evaluations waiting for a worker (`pending`) or for capacity (`blocked`). */
export async function countOpenEvals(status: 'pending' | 'blocked'): Promise<number> {
  const shards = await Promise.all(
    openEvalsPartitions(status).map((pk) => count({ IndexName: 'GSI3', KeyConditionExpression: 'GSI3PK = :pk', ExpressionAttributeValues: { ':pk': pk } })),
  );
  return shards.reduce((total, shard) => total + shard, 0);
}

/** Nodes whose heartbeats are being watched (not down). */
export async function countHeartbeatingNodes(): Promise<number> {
  const shards = await Promise.all(
    heartbeatsPartitions().map((pk) => count({ IndexName: 'GSI4', KeyConditionExpression: 'GSI4PK = :pk', ExpressionAttributeValues: { ':pk': pk } })),
  );
  return shards.reduce((total, shard) => total + shard, 0);
}

/** One strongly consistent read of the table, to tell whether the store answers. */
export async function pingStore(): Promise<void> {
  await dynamo().send(new GetCommand({ TableName: config().tableName, Key: { PK: 'HEALTH', SK: 'HEALTH' }, ConsistentRead: true }));
}
