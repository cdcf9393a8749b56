import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { nextIndex } from '../../storage/index-clock';
import { isConditionFailure } from '../../storage/transact';
import { notFound } from '../http/errors';
import { nodeKey } from '../store/keys';
import { HEARTBEAT_TTL_MS } from './register-node';

/**
 * A client's heartbeat, our HTTP form of Nomad's Node.UpdateStatus: it pushes the node's
 * `HeartbeatExpiry` (unix ms) one TTL ahead. The periodic duties mark nodes whose expiry passed
 * as down. Returns the TTL the client must heartbeat within.
 */
export async function heartbeatNode(nodeId: string, now = Date.now()): Promise<{ HeartbeatTTL: number; Index: number }> {
  const index = nextIndex();
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: nodeKey(nodeId),
        UpdateExpression: 'SET HeartbeatExpiry = :expiry',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':expiry': now + HEARTBEAT_TTL_MS },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw notFound('node not found');
    throw error;
  }
  return { HeartbeatTTL: HEARTBEAT_TTL_MS * 1_000_000, Index: index };
}
