import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { counterKey } from './keys';

/**
 * GitLab's integer ids. One counter item per kind, advanced atomically (ADD): ids are not written
 * at a rate one item cannot take. `floor` reserves the ids below it (user 1 is the administrator).
 */
export type CounterKind = 'user' | 'project' | 'pipeline' | 'job' | 'runner' | 'token' | 'commit' | 'trigger' | 'schedule';

/** `count` consecutive ids at once (the jobs of a new pipeline); returns the first. */
export async function nextIds(kind: CounterKind, count: number, floor = 0): Promise<number> {
  const result = await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: counterKey(kind),
      UpdateExpression: 'SET #value = if_not_exists(#value, :floor) + :count',
      ExpressionAttributeNames: { '#value': 'Value' },
      ExpressionAttributeValues: { ':floor': floor, ':count': count },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(result.Attributes!.Value) - count + 1;
}

export function nextId(kind: CounterKind, floor = 0): Promise<number> {
  return nextIds(kind, 1, floor);
}
