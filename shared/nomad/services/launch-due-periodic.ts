import { serviceLogger } from '../../observability/logger';
import { TransactionConflict } from '../../storage/transact';
import { transact } from '../../storage/transact';
import { listDueLaunches } from '../store/periodic-launches';
import { readJob } from '../store/jobs';
import type { Job } from '../structs/job';
import { advanceParent, launchChild } from './periodic-launch';

/**
 * The periodic dispatcher's tick (run by the scheduled duties): every periodic parent whose next
 * launch is due gets its child, unless ProhibitOverlap holds it back because an earlier child
 * still runs; either way the parent moves on to its next launch. Two ticks racing launch once:
 * the parent only moves from the launch time both saw.
 */
const logger = serviceLogger('periodic-duties');

export async function launchDuePeriodicJobs(now: Date): Promise<number> {
  let launched = 0;
  for (const { namespace, jobId, due } of await listDueLaunches(now.getTime())) {
    try {
      const record = await readJob(namespace, jobId, { children: true });
      if (!record?.job.Periodic) continue;
      const overlapping = record.job.Periodic.ProhibitOverlap && record.summary.Children.Pending + record.summary.Children.Running > 0;
      if (overlapping) {
        await skipLaunch(record.job, due);
        continue;
      }
      await launchChild(record.job, new Date(due), due);
      launched++;
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      logger.error('periodic launch failed', { namespace, jobId, error: error as Error });
    }
  }
  return launched;
}

/** ProhibitOverlap: no child this time, but the parent still moves to its next launch. */
async function skipLaunch(parent: Job, due: number): Promise<void> {
  await transact([advanceParent(parent, due, new Date(due))]);
}
