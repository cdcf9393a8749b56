import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import type { PipelineRecord } from '../records';
import { recordOf } from './item';
import { projectPipelinesIndex } from './keys';

/** The project's newest pipeline for a commit (a commit's `last_pipeline`), read newest first until one matches. */
export async function latestPipelineForSha(projectId: number, sha: string): Promise<PipelineRecord | undefined> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: config().tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        FilterExpression: 'sha = :sha',
        ExpressionAttributeValues: { ':pk': projectPipelinesIndex(projectId), ':sha': sha },
        ScanIndexForward: false,
        ExclusiveStartKey: startKey,
      }),
    );
    const item = result.Items?.[0];
    if (item) return recordOf<PipelineRecord>(item);
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}
