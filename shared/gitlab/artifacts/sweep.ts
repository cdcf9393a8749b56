import { transact, TransactionConflict } from '../../storage/transact';
import type { JobRecord } from '../records';
import { getJobs, updateJob } from '../store/jobs';
import { deleteExpiryIfUnchanged, queryDueExpiries, rescheduleExpiry, type ExpiryEntry } from '../store/artifact-expiry';
import { inLatestSuccessfulPipeline } from './locate';
import { tagJobObjectsExpired } from '../store/artifact-bucket';
import { unchangedSince } from './unchanged';

/**
 * The periodic sweep of expired artifacts: for each job whose expiry is due, its artifact records
 * go (the archived trace stays, as in GitLab) in one write with its expiry entry, then its files
 * are tagged for the bucket's lifecycle rule to delete. The artifacts of the latest successful
 * pipeline of a ref are kept (GitLab's "keep latest artifacts") and looked at again later.
 */
const RECHECK_LATEST_MS = 3600_000;

async function sweepOne(entry: ExpiryEntry, job: JobRecord | undefined, now: number): Promise<boolean> {
  const expiring = job?.artifacts.filter((artifact) => artifact.fileType !== 'trace') ?? [];
  if (!job || expiring.length === 0 || job.artifactsLocked) {
    await transact([deleteExpiryIfUnchanged(entry)]).catch(ignoreConflict);
    return false;
  }
  if (await inLatestSuccessfulPipeline(job)) {
    await transact([rescheduleExpiry(entry, now + RECHECK_LATEST_MS)]).catch(ignoreConflict);
    return false;
  }
  const kept = job.artifacts.filter((artifact) => artifact.fileType === 'trace');
  try {
    await transact([updateJob(job, { artifacts: kept, artifactsExpireAt: null }, [job.status], unchangedSince(job)), deleteExpiryIfUnchanged(entry)]);
  } catch (error) {
    return ignoreConflict(error);
  }
  await tagJobObjectsExpired(job);
  return true;
}

function ignoreConflict(error: unknown): false {
  if (error instanceof TransactionConflict) return false;
  throw error;
}

const PAGE = 100;
/** Jobs looked at in one run at most; the rest wait for the next minute. */
const MAX_PER_RUN = 1000;

/** Removes what expired by `now`; answers how many jobs lost their artifacts. */
export async function sweepExpiredArtifacts(now: number): Promise<number> {
  let swept = 0;
  for (let seen = 0; seen < MAX_PER_RUN; ) {
    const due = await queryDueExpiries(now, PAGE);
    const jobs = await getJobs(due.map((entry) => entry.jobId));
    for (const entry of due) if (await sweepOne(entry, jobs.get(entry.jobId), now)) swept++;
    seen += due.length;
    if (due.length < PAGE) break;
  }
  return swept;
}
