import { nextIndex } from '../../storage/index-clock';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { notFound } from '../errors';
import { replaceJobVersion, setCurrentJobStable } from '../store/job-versions';
import { readJob, readJobVersion } from '../store/jobs';

/**
 * Marking a version stable or not (Job.Stable): the version item and, when it is the current
 * version, the job itself. No new version is made.
 */
export async function setJobStability(namespace: string, jobId: string, version: number, stable: boolean): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const [current, stored] = await Promise.all([readJob(namespace, jobId), readJobVersion(namespace, jobId, version)]);
    if (!current || !stored || stored.CreateIndex !== current.job.CreateIndex) {
      throw notFound(`job "${jobId}" in namespace "${namespace}" at version ${version} not found`);
    }
    const index = nextIndex();
    const items: TransactItem[] = [replaceJobVersion({ ...stored, Stable: stable }, stored)];
    if (current.job.Version === version) {
      items.push(setCurrentJobStable(namespace, jobId, { version, jobModifyIndex: current.job.JobModifyIndex }, stable, index));
    }
    try {
      await transact(items);
      return index;
    } catch (error) {
      if (error instanceof TransactionConflict && attempt < 5) continue;
      throw error;
    }
  }
}
