import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { unlessConditionFails } from '../../storage/transact';
import { actionSessionKey, agentChannelKey } from './client-keys';

/**
 * Where the relay finds the two ends of an action: each node's open channel (its connection ID)
 * and each session (the caller's connection, the node serving it). Kept in the table, so any API
 * process or Lambda can relay any frame; sessions expire after an hour through the table's TTL.
 */
export interface ActionSession {
  sessionId: string;
  nodeId: string;
  namespace: string;
  allocId: string;
  task: string;
  action: string;
  tty: boolean;
  /** Waiting for the caller's `{auth_token}` frame (`ws_handshake=true`). */
  awaitingHandshake: boolean;
  /** `alloc exec`: the command, and whether the task's driver has no isolation (alloc-node-exec is needed too). */
  command?: string[];
  nodeExec?: boolean;
}

const SESSION_TTL_SECONDS = 3600;

export async function putAgentChannel(nodeId: string, connectionId: string): Promise<void> {
  await dynamo().send(new PutCommand({ TableName: config().tableName, Item: { ...agentChannelKey(nodeId), ConnectionID: connectionId, ConnectedAt: Date.now() } }));
}

/** Forgets the channel only if it is still this connection (a reconnect may already have replaced it). */
export async function deleteAgentChannel(nodeId: string, connectionId: string): Promise<void> {
  await unlessConditionFails(
    dynamo().send(
      new DeleteCommand({
        TableName: config().tableName,
        Key: agentChannelKey(nodeId),
        ConditionExpression: 'ConnectionID = :id',
        ExpressionAttributeValues: { ':id': connectionId },
      }),
    ),
  );
}

export async function agentChannel(nodeId: string): Promise<string | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: agentChannelKey(nodeId), ConsistentRead: true }));
  return result.Item?.ConnectionID;
}

export async function putSession(session: ActionSession): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: { ...actionSessionKey(session.sessionId), ...session, ExpiresAt: Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS },
    }),
  );
}

export async function readSession(sessionId: string): Promise<ActionSession | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: actionSessionKey(sessionId), ConsistentRead: true }));
  if (!result.Item) return undefined;
  const { PK: _pk, SK: _sk, ExpiresAt: _expires, ...session } = result.Item;
  return session as ActionSession;
}

export async function deleteSession(sessionId: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key: actionSessionKey(sessionId) }));
}
