import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, s3 } from '../../aws/clients';
import { config } from '../../config';
import { S3_PREFIXES } from '../../storage/table-schema';
import type { TransactItem } from '../../storage/transact';
import { jobPk, submissionSk } from './keys';
import { queryJobItems } from './job-items';

/**
 * The source a job version was submitted with (`SUBMISSION#n`), for reference only. Sources too
 * large for an item go to S3 under `submissions/`; only the newest JOB_TRACKED_SUBMISSIONS are
 * kept per job.
 */
const JOB_TRACKED_SUBMISSIONS = 6;
/** Past this a source is kept in S3 rather than in the item (DynamoDB items stop at 400 KB). */
const INLINE_SOURCE_LIMIT = 350 * 1024;
/** Nomad discards sources larger than this, with a warning. */
export const MAX_SOURCE_SIZE = 1024 * 1024;

export interface JobSubmission {
  Source: string;
  Format: string;
  VariableFlags: Record<string, string> | null;
  Variables: string;
  Namespace: string;
  JobID: string;
  Version: number;
  JobModifyIndex: number;
}

function objectKey(submission: Pick<JobSubmission, 'Namespace' | 'JobID' | 'Version'>): string {
  return `${S3_PREFIXES.submissions}${encodeURIComponent(submission.Namespace)}/${encodeURIComponent(submission.JobID)}/${submission.Version}`;
}

/** The submission's item, to commit with the job version it belongs to; a source too large for it is put in S3 first. */
export async function submissionItem(submission: JobSubmission): Promise<TransactItem> {
  const { Source, ...rest } = submission;
  const item: Record<string, unknown> = { PK: jobPk(submission.Namespace, submission.JobID), SK: submissionSk(submission.Version), ...rest };
  if (Buffer.byteLength(Source) > INLINE_SOURCE_LIMIT) {
    item.SourceKey = objectKey(submission);
    await s3().send(new PutObjectCommand({ Bucket: config().bucketName, Key: item.SourceKey as string, Body: Source }));
  } else {
    item.Source = Source;
  }
  return { Put: { TableName: config().tableName, Item: item } };
}

export async function readSubmission(namespace: string, jobId: string, version: number): Promise<JobSubmission | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: config().tableName, Key: { PK: jobPk(namespace, jobId), SK: submissionSk(version) }, ConsistentRead: true }),
  );
  const item = result.Item;
  if (!item) return undefined;
  let source = item.Source as string | undefined;
  if (source === undefined && item.SourceKey) {
    const object = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: item.SourceKey }));
    source = await object.Body!.transformToString();
  }
  return {
    Source: source ?? '',
    Format: item.Format,
    VariableFlags: item.VariableFlags ?? null,
    Variables: item.Variables ?? '',
    Namespace: item.Namespace,
    JobID: item.JobID,
    Version: Number(item.Version),
    JobModifyIndex: Number(item.JobModifyIndex),
  };
}

/**
 * Drops all but the newest JOB_TRACKED_SUBMISSIONS submissions of a job, after the one of version
 * `newest` was written (versions 0..newest are all there can be, so a young job costs no read).
 */
export async function pruneSubmissions(namespace: string, jobId: string, newest: number): Promise<void> {
  if (newest < JOB_TRACKED_SUBMISSIONS) return;
  const items = await queryJobItems(namespace, jobId, 'SUBMISSION#', { newestFirst: true, projection: 'PK, SK, SourceKey' });
  for (const item of items.slice(JOB_TRACKED_SUBMISSIONS)) {
    await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key: { PK: item.PK, SK: item.SK } }));
    if (item.SourceKey) await s3().send(new DeleteObjectCommand({ Bucket: config().bucketName, Key: item.SourceKey }));
  }
}
