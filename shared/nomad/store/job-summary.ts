import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { unlessConditionFails } from '../../storage/transact';
import type { TaskGroupSummary } from '../structs/job';
import { jobKey } from './keys';

/**
 * Replaces a job's summary (`PUT /v1/system/reconcile/summaries`), provided the job item has not
 * moved since the summary was computed from its allocations (any allocation change moves it).
 */
export async function replaceJobSummary(
  job: { Namespace: string; ID: string; ModifyIndex: number },
  summary: Record<string, TaskGroupSummary>,
  index: number,
): Promise<boolean> {
  const written = await unlessConditionFails(
    dynamo().send(
      new UpdateCommand({
        TableName: config().tableName,
        Key: jobKey(job.Namespace, job.ID),
        UpdateExpression: 'SET #summary = :summary, SummaryModifyIndex = :index, ModifyIndex = :index',
        ConditionExpression: 'ModifyIndex = :read',
        ExpressionAttributeNames: { '#summary': 'Summary' },
        ExpressionAttributeValues: { ':summary': summary, ':index': index, ':read': job.ModifyIndex },
      }),
    ),
  );
  return written !== undefined;
}
