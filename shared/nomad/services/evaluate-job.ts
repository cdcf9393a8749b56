import { nextIndex } from '../../storage/index-clock';
import { transact, type TransactItem } from '../../storage/transact';
import { badRequest, notFound } from '../errors';
import { desiredTransitionItem, readJobAllocs } from '../store/allocs';
import { putNewEval } from '../store/evals';
import { jobDeltaUpdate } from '../store/job-counters';
import { readJob } from '../store/jobs';
import type { JobWriteOutcome } from '../structs/job-write-outcome';
import { queueNewEvals } from '../store/eval-queue';
import { newEval } from './new-eval';

/**
 * Forcing an evaluation of a job (Job.Evaluate). With ForceReschedule, the job's failed
 * allocations that have not been replaced are marked to be rescheduled now, in the same
 * transaction as the evaluation.
 */
export async function evaluateJob(namespace: string, jobId: string, forceReschedule: boolean): Promise<JobWriteOutcome> {
  const [record, allocs] = await Promise.all([readJob(namespace, jobId), forceReschedule ? readJobAllocs(namespace, jobId) : []]);
  if (!record) throw notFound('job not found');
  const { job } = record;
  if (job.Periodic) throw badRequest("can't evaluate periodic job");
  if (job.ParameterizedJob && !job.Dispatched) throw badRequest("can't evaluate parameterized job");
  const index = nextIndex();
  const evaluation = newEval({
    namespace,
    jobId,
    type: job.Type,
    priority: job.Priority,
    triggeredBy: 'job-register',
    jobModifyIndex: job.ModifyIndex,
    index,
    now: Date.now(),
  });
  const items: TransactItem[] = [putNewEval(evaluation), jobDeltaUpdate(namespace, jobId, job.CreateIndex, { openEvals: 1, hadEval: true }, index)];
  const failed = allocs.filter(
    ({ alloc, jobCreateIndex }) => jobCreateIndex === job.CreateIndex && alloc.ClientStatus === 'failed' && alloc.DesiredStatus === 'run' && !alloc.NextAllocation,
  );
  items.push(...failed.slice(0, 90).map(({ alloc }) => desiredTransitionItem(alloc, 'ForceReschedule', index)));
  await transact(items);
  await queueNewEvals([evaluation]);
  return { evaluation, jobModifyIndex: job.ModifyIndex, index };
}
