import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { unlessConditionFails } from '../../storage/transact';
import type { Evaluation } from '../structs/evaluation';
import { evalSk, jobPk } from './keys';

/**
 * Deletes an evaluation as it was read: nothing happens (false) if it changed since, e.g. a
 * worker picked it up, or it is gone already.
 */
export async function deleteEvalIfUnchanged(evaluation: Evaluation): Promise<boolean> {
  const deleted = await unlessConditionFails(
    dynamo().send(
      new DeleteCommand({
        TableName: config().tableName,
        Key: { PK: jobPk(evaluation.Namespace, evaluation.JobID), SK: evalSk(evaluation.ID) },
        ConditionExpression: 'ModifyIndex = :read',
        ExpressionAttributeValues: { ':read': evaluation.ModifyIndex },
      }),
    ),
  );
  return deleted !== undefined;
}
