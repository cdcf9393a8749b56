import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../aws/clients';
import { config } from '../../config';
import { transact, TransactionConflict } from '../../storage/transact';
import { traceKey } from '../artifacts/object-keys';
import type { JobRecord } from '../records';
import { COMPLETED_STATUSES } from '../state/statuses';
import { getJob, updateJob } from '../store/jobs';
import { unchangedSince } from '../artifacts/unchanged';
import { eraseTrace, readTrace } from '../store/traces';

/**
 * A finished job's log leaves the table for the bucket: it is written to `traces/…/job.log`,
 * recorded as the job's `trace` artifact (`job.log`, raw), and only then are the live chunks
 * deleted. A crash between the steps leaves both copies, and the archived one is what is read;
 * archiving again finds the artifact and only tidies up.
 */
function archivedTrace(job: JobRecord) {
  return job.artifacts.find((artifact) => artifact.fileType === 'trace' && artifact.objectKey !== undefined);
}

export async function archiveTrace(jobId: number): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const job = await getJob(jobId);
    if (!job || !COMPLETED_STATUSES.includes(job.status) || job.erasedAt !== null) return;
    if (archivedTrace(job)) return eraseTrace(jobId);
    const log = await readTrace(jobId);
    if (log.length === 0) return;
    const key = traceKey(job.projectId, job.id);
    await s3().send(new PutObjectCommand({ Bucket: config().bucketName, Key: key, Body: log, ContentType: 'text/plain; charset=utf-8' }));
    const trace = { fileType: 'trace', fileFormat: 'raw', filename: 'job.log', size: log.length, objectKey: key, expireAt: null };
    try {
      await transact([updateJob(job, { artifacts: [...job.artifacts, trace] }, [job.status], unchangedSince(job))]);
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    }
    return eraseTrace(jobId);
  }
}

/** The job's log: the archived file once there is one, the live chunks before. */
export async function readJobTrace(job: JobRecord): Promise<Buffer> {
  const archived = archivedTrace(job);
  if (!archived) return readTrace(job.id);
  try {
    const result = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: archived.objectKey }));
    return Buffer.from(await result.Body!.transformToByteArray());
  } catch (error) {
    // Deleted by an erase that raced with the archiving: the log is gone either way.
    if ((error as { name?: string }).name === 'NoSuchKey') return Buffer.alloc(0);
    throw error;
  }
}
