import { Logger } from '@aws-lambda-powertools/logger';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { TransactionConflict } from '../../storage/transact';
import { transact } from '../../storage/transact';
import { PERIODIC_JOBS } from '../store/keys';
import { readJob } from '../store/jobs';
import type { Job } from '../structs/job';
import { advanceParent, launchChild } from './launch';

/**
 * The periodic dispatcher's tick (run by the scheduled duties): every periodic parent whose next
 * launch is due gets its child, unless ProhibitOverlap holds it back because an earlier child
 * still runs; either way the parent moves on to its next launch. Two ticks racing launch once:
 * the parent only moves from the launch time both saw.
 */
const logger = new Logger({ serviceName: 'periodic-duties' });

interface Due {
  namespace: string;
  jobId: string;
  due: number;
}

async function dueParents(now: number): Promise<Due[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK <= :now',
    ExpressionAttributeValues: { ':pk': PERIODIC_JOBS, ':now': `${String(now).padStart(15, '0')}#\uffff` },
    ProjectionExpression: 'GSI3SK',
  });
  return items.map((item) => {
    const [due, namespace, ...id] = (item.GSI3SK as string).split('#');
    return { due: Number(due), namespace, jobId: id.join('#') };
  });
}

export async function launchDuePeriodicJobs(now: Date): Promise<number> {
  let launched = 0;
  for (const { namespace, jobId, due } of await dueParents(now.getTime())) {
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
