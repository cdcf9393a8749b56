import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../aws/clients';
import { config } from '../../config';
import { S3_EXPIRED_TAG } from '../../storage/table-schema';
import { jobArtifactsPrefix, traceKey } from '../artifacts/object-keys';

/**
 * Removing a job's files from the bucket. Delete and erase remove them at once; expiry only tags
 * them, and the bucket's lifecycle rule (infra/constructs/data-stores.ts) deletes tagged objects.
 */
async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3().send(new ListObjectsV2Command({ Bucket: config().bucketName, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export async function deleteObjects(keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
    await s3().send(new DeleteObjectsCommand({ Bucket: config().bucketName, Delete: { Objects: batch, Quiet: true } }));
  }
}

/** Every file of the job: archives, metadata, reports, extracted entries and, with `trace`, the archived log. */
export async function deleteJobObjects(job: { projectId: number; id: number }, options: { trace: boolean }): Promise<void> {
  const keys = await listKeys(jobArtifactsPrefix(job.projectId, job.id));
  if (options.trace) keys.push(traceKey(job.projectId, job.id));
  await deleteObjects(keys);
}

/** Tags the job's artifact files (not its trace) for the lifecycle rule to delete. */
export async function tagJobObjectsExpired(job: { projectId: number; id: number }): Promise<void> {
  for (const Key of await listKeys(jobArtifactsPrefix(job.projectId, job.id))) {
    await s3().send(
      new PutObjectTaggingCommand({ Bucket: config().bucketName, Key, Tagging: { TagSet: [{ Key: S3_EXPIRED_TAG, Value: 'true' }] } }),
    );
  }
}

/** Every object under `prefix` (a deleted project's repository files). */
export async function deleteObjectsUnder(prefix: string): Promise<void> {
  await deleteObjects(await listKeys(prefix));
}
