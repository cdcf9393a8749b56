import { GitLabError } from '../errors';
import type { JobRecord } from '../records';
import { TransactionConflict } from '../../storage/transact';
import { getJob } from '../store/jobs';

/**
 * Runs a conditional write on a job as the caller last read it; when another writer got there
 * first (a TransactionConflict), reads the job again and decides again.
 */
export async function withFreshJob<T>(read: JobRecord, attempt: (job: JobRecord) => Promise<T | undefined>): Promise<T> {
  for (let tries = 0; tries < 10; tries++) {
    const job = tries === 0 ? read : await getJob(read.id);
    if (!job) throw new GitLabError(404, { message: '404 Not found' });
    try {
      const result = await attempt(job);
      if (result !== undefined) return result;
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
    }
  }
  throw new GitLabError(409, { message: '409 Conflict' });
}

