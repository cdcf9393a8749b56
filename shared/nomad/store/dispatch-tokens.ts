import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import type { TransactItem } from '../../storage/transact';
import { dispatchTokenSk, jobPk } from './keys';

/**
 * A dispatch's idempotency token, kept in the parameterized parent's partition with the child it
 * made: claimed in the transaction that registers the child, so one token makes one child.
 */
export interface DispatchToken {
  childId: string;
  index: number;
}

export async function readDispatchToken(namespace: string, parentId: string, token: string): Promise<DispatchToken | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: config().tableName, Key: { PK: jobPk(namespace, parentId), SK: dispatchTokenSk(token) }, ConsistentRead: true }),
  );
  if (!result.Item) return undefined;
  return { childId: result.Item.ChildID, index: Number(result.Item.Index) };
}

/** The item claiming `token` for `childId`; it fails the transaction when the token is taken. */
export function claimDispatchToken(namespace: string, parentId: string, token: string, childId: string): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: { PK: jobPk(namespace, parentId), SK: dispatchTokenSk(token), ChildID: childId, Index: 0 },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}
