import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../aws/clients';
import { config } from '../../config';
import type { TransactItem } from '../../storage/transact';
import { queryJobItems } from './job-items';
import { jobKey } from './keys';

/**
 * What a purge (`DELETE /v1/job/:id?purge=true`) deletes: the job item, under the condition that
 * it is still the version read, then the rest of its history and the submissions' sources in S3.
 */
export interface ItemKey {
  PK: string;
  SK: string;
}

/** What is kept about the job besides its allocations and evaluations, deleted with it on purge. */
export async function jobHistory(namespace: string, jobId: string): Promise<{ keys: ItemKey[]; sources: string[] }> {
  const prefixes = ['VERSION#', 'SUBMISSION#', 'TAG#', 'SCALEEVENT#', 'DISPATCH#'];
  const pages = await Promise.all(
    prefixes.map((prefix) => queryJobItems(namespace, jobId, prefix, { projection: 'PK, SK, SourceKey' })),
  );
  const items = pages.flat();
  return {
    keys: items.map((item) => ({ PK: item.PK as string, SK: item.SK as string })),
    sources: items.flatMap((item) => (item.SourceKey ? [item.SourceKey as string] : [])),
  };
}

export function deleteJobItem(namespace: string, jobId: string, expectedJobModifyIndex: number): TransactItem {
  return {
    Delete: {
      TableName: config().tableName,
      Key: jobKey(namespace, jobId),
      ConditionExpression: 'JobModifyIndex = :expected',
      ExpressionAttributeValues: { ':expected': expectedJobModifyIndex },
    },
  };
}

export function deleteHistoryItem(key: ItemKey): TransactItem {
  return { Delete: { TableName: config().tableName, Key: key } };
}

export async function deleteSources(sources: string[]): Promise<void> {
  for (const source of sources) await s3().send(new DeleteObjectCommand({ Bucket: config().bucketName, Key: source }));
}
