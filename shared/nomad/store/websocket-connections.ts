import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { webSocketConnectionKey } from './client-keys';

/**
 * What each connection of the actions WebSocket API is (an agent's channel for node N, or a
 * caller), kept between the Lambda's events; the table's TTL drops those API Gateway never
 * reported closed.
 */
export type Connection = { Role: 'agent'; NodeID: string } | { Role: 'caller' };

const CONNECTION_TTL_SECONDS = 3 * 3600;

export async function putConnection(connectionId: string, connection: Connection): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: { ...webSocketConnectionKey(connectionId), ...connection, ExpiresAt: Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS },
    }),
  );
}

export async function readConnection(connectionId: string): Promise<Connection | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: webSocketConnectionKey(connectionId), ConsistentRead: true }));
  return result.Item as Connection | undefined;
}

export async function deleteConnection(connectionId: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key: webSocketConnectionKey(connectionId) }));
}
