import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import type { ClientRpcReply } from '../wire/client-rpc-protocol';

/**
 * The parts of client RPC replies on their way from the agent's channel to the API request that
 * waits for them. On AWS the agent's reply reaches the WebSocket relay Lambda while the request
 * waits in the HTTP Lambda, so the parts meet in the table:
 *   PK `CLIENTRPC#<request id>`  SK `PART#<seq, 10 digits>`  (NodeID: who answered; TTL: 15 minutes)
 */
const TTL_SECONDS = 15 * 60;

const pk = (requestId: string) => `CLIENTRPC#${requestId}`;
const sk = (seq: number) => `PART#${String(seq).padStart(10, '0')}`;

export async function putReplyPart(nodeId: string, reply: ClientRpcReply): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: config().tableName,
      Item: { PK: pk(reply.ID), SK: sk(reply.Seq), NodeID: nodeId, Reply: reply, ExpiresAt: Math.floor(Date.now() / 1000) + TTL_SECONDS },
    }),
  );
}

/** The parts after `afterSeq` that node `nodeId` sent, in order (one page: a reader comes back for more). */
export async function readReplyParts(requestId: string, nodeId: string, afterSeq: number): Promise<ClientRpcReply[]> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'PK = :pk AND SK > :after',
      ExpressionAttributeValues: { ':pk': pk(requestId), ':after': afterSeq < 0 ? 'PART#' : sk(afterSeq) },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).filter((item) => item.NodeID === nodeId).map((item) => item.Reply as ClientRpcReply);
}
