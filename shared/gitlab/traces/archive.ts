import { transact, TransactionConflict } from '../../storage/transact';
import { traceKey } from '../artifacts/object-keys';
import type { JobRecord } from '../records';
import { COMPLETED_STATUSES } from '../state/statuses';
import { getJob, updateJob } from '../store/jobs';
import { unchangedSince } from '../artifacts/unchanged';
import { getObjectBytes, putObject } from '../store/bucket-objects';
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

/**
 * Archives the log of `known` (the job as its caller just read it; read again if it changed
 * meanwhile) and answers the job as it is then.
 */
export async function archiveTrace(known: JobRecord): Promise<JobRecord> {
  let job = known;
  for (let attempt = 0; attempt < 5; attempt++) {
    // Jobs are never deleted: the only reason to read again is a write that got there first.
    if (attempt > 0) job = (await getJob(known.id))!;
    if (!COMPLETED_STATUSES.includes(job.status) || job.erasedAt !== null) return job;
    if (archivedTrace(job)) {
      await eraseTrace(job.id);
      return job;
    }
    const log = await readTrace(job.id);
    if (log.length === 0) return job;
    const key = traceKey(job.projectId, job.id);
    await putObject(key, log, { contentType: 'text/plain; charset=utf-8' });
    const trace = { fileType: 'trace', fileFormat: 'raw', filename: 'job.log', size: log.length, objectKey: key, expireAt: null };
    const changes = { artifacts: [...job.artifacts, trace], updatedAt: Date.now() };
    try {
      await transact([updateJob(job, changes, [job.status], unchangedSince(job))]);
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    }
    await eraseTrace(job.id);
    return { ...job, ...changes };
  }
  return job;
}

/** The job's log: the archived file once there is one, the live chunks before. */
export async function readJobTrace(job: JobRecord): Promise<Buffer> {
  const archived = archivedTrace(job);
  if (!archived) return readTrace(job.id);
  try {
    return await getObjectBytes(archived.objectKey!);
  } catch (error) {
    // Deleted by an erase that raced with the archiving: the log is gone either way.
    if ((error as { name?: string }).name === 'NoSuchKey') return Buffer.alloc(0);
    throw error;
  }
}
