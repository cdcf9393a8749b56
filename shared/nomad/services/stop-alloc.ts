import { nextIndex } from '../../storage/index-clock';
import { transact } from '../../storage/transact';
import { notFound } from '../errors';
import { desiredTransitionItem, type StoredAlloc } from '../store/allocs';
import { putNewEval } from '../store/evals';
import { jobDeltaUpdate } from '../store/job-counters';
import { readJob } from '../store/jobs';
import type { Evaluation } from '../structs/evaluation';
import { queueNewEvals } from '../store/eval-queue';
import { newEval } from './new-eval';

/**
 * `PUT /v1/allocation/:id/stop` (Nomad's Alloc.Stop): the allocation is marked to migrate and an
 * `alloc-stop` evaluation lets the scheduler stop it and place its replacement, in one
 * transaction with the job's counters. The allocation is the one the route found and authorised.
 */
export async function stopAlloc(located: StoredAlloc): Promise<{ evaluation: Evaluation; index: number }> {
  const record = await readJob(located.alloc.Namespace, located.alloc.JobID);
  if (!record) throw notFound('job not found');
  const index = nextIndex();
  const evaluation = newEval({
    namespace: record.job.Namespace,
    jobId: record.job.ID,
    type: record.job.Type,
    priority: record.job.Priority,
    triggeredBy: 'alloc-stop',
    jobModifyIndex: record.job.JobModifyIndex,
    index,
    now: Date.now(),
  });
  await transact([
    desiredTransitionItem(located.alloc, 'Migrate', index),
    putNewEval(evaluation),
    jobDeltaUpdate(record.job.Namespace, record.job.ID, record.job.CreateIndex, { openEvals: 1, hadEval: true }, index),
  ]);
  await queueNewEvals([evaluation]);
  return { evaluation, index };
}
