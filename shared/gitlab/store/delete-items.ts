import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { jobPointerKey, pipelinePk, projectPk, tracePk } from './keys';

/** Bulk removal of items, for deleting a project and everything it owns. */
type Key = { PK: string; SK: string };

export async function deleteKeys(keys: Key[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let request: BatchWriteCommandInput['RequestItems'] = { [config().tableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) };
    // What DynamoDB leaves unprocessed (throttling) is sent again.
    while (request && Object.keys(request).length > 0) request = (await dynamo().send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems;
  }
}

/** The keys of every item in a partition. */
export async function partitionKeys(pk: string): Promise<Key[]> {
  const items = await queryAll({ TableName: config().tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk }, ProjectionExpression: 'PK, SK' });
  return items as Key[];
}

/** Deletes a whole partition, `last` sort keys after all the others. */
export async function deletePartition(pk: string, last: string[] = []): Promise<void> {
  const keys = await partitionKeys(pk);
  await deleteKeys(keys.filter((key) => !last.includes(key.SK)));
  await deleteKeys(keys.filter((key) => last.includes(key.SK)));
}

/** A job's live trace chunks. */
export const deleteTraceChunks = (jobId: number) => deletePartition(tracePk(jobId));

export const deleteJobPointers = (jobIds: readonly number[]) => deleteKeys(jobIds.map(jobPointerKey));

/** A pipeline's partition, the pipeline item last (a deletion cut short is found and finished again). */
export const deletePipelineItems = (pipelineId: number) => deletePartition(pipelinePk(pipelineId), ['PIPELINE']);

/** A project's partition, the project item last. */
export const deleteProjectItems = (projectId: number) => deletePartition(projectPk(projectId), ['PROJECT']);
