import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { isConditionFailure } from '../../storage/transact';

/** The marker of Nomad's one ACL bootstrap: written with a condition, so it happens exactly once. */
const MARKER = { PK: 'ACLBOOTSTRAP', SK: 'ACLBOOTSTRAP' };

/** Claims the bootstrap at `index`; false when it was already done. */
export async function claimAclBootstrap(index: number): Promise<boolean> {
  try {
    await dynamo().send(new PutCommand({ TableName: config().tableName, Item: { ...MARKER, Index: index }, ConditionExpression: 'attribute_not_exists(PK)' }));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
