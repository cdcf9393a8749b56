import { nextIndex } from '../../storage/index-clock';
import { MAX_TRANSACT_ITEMS, transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { putNewEval } from '../store/evals';
import { touchJobs } from '../store/collection-index';
import { deleteHistoryItem, deleteJobItem, deleteSources, jobHistory } from '../store/job-purge';
import { putJobVersion, readJob, writeJobItem } from '../store/jobs';
import { isParentJob, type Job } from '../structs/job';
import type { JobWriteOutcome } from '../structs/job-write-outcome';
import { queueNewEvals } from '../store/eval-queue';
import { newEval } from './new-eval';

/**
 * Stopping a job (`DELETE /v1/job/:id`): a soft stop stores a new version with `Stop: true`;
 * `purge=true` deletes the job, its versions and submissions at once (allocations and
 * evaluations stay). Either way a `job-deregister` evaluation lets the scheduler stop what runs.
 */
export interface DeregisterRequest {
  namespace: string;
  jobId: string;
  purge: boolean;
  evalPriority: number;
}

export async function deregisterJob(request: DeregisterRequest): Promise<JobWriteOutcome> {
  for (let attempt = 0; ; attempt++) {
    const existing = await readJob(request.namespace, request.jobId);
    if (!existing) return { jobModifyIndex: 0, index: 0 };
    const index = nextIndex();
    const now = Date.now();
    const stored = existing.job;
    const evaluation = isParentJob(stored)
      ? undefined
      : newEval({
          namespace: stored.Namespace,
          jobId: stored.ID,
          // Nomad always files deregistrations under the service scheduler.
          type: 'service',
          priority: request.evalPriority || stored.Priority,
          triggeredBy: 'job-deregister',
          jobModifyIndex: index,
          index,
          now,
        });

    const items: TransactItem[] = [];
    let jobModifyIndex = stored.JobModifyIndex;
    if (request.purge) {
      const { keys: others, sources } = await jobHistory(stored.Namespace, stored.ID);
      items.push(deleteJobItem(stored.Namespace, stored.ID, stored.JobModifyIndex));
      // Versions beyond one transaction are deleted right after; the job item is what counts.
      const inline = others.slice(0, MAX_TRANSACT_ITEMS - 3);
      items.push(...inline.map(deleteHistoryItem));
      if (evaluation) items.push(putNewEval(evaluation));
      items.push(touchJobs(stored.Namespace, stored.ID, index));
      try {
        await transact(items);
      } catch (error) {
        if (error instanceof TransactionConflict && attempt < 5) continue;
        throw error;
      }
      for (let start = inline.length; start < others.length; start += MAX_TRANSACT_ITEMS) {
        await transact(others.slice(start, start + MAX_TRANSACT_ITEMS).map(deleteHistoryItem));
      }
      await deleteSources(sources);
    } else {
      const job: Job = { ...structuredClone(stored), Stop: true };
      const changed = !stored.Stop;
      if (changed) {
        job.Version = stored.Version + 1;
        job.ModifyIndex = job.JobModifyIndex = jobModifyIndex = index;
        job.SubmitTime = now * 1_000_000;
        job.Stable = false;
      }
      items.push(
        writeJobItem({
          job,
          expectedJobModifyIndex: stored.JobModifyIndex,
          index,
          specChanged: changed,
          newEval: !!evaluation,
          // A stopped periodic job launches nothing more.
          nextLaunch: stored.Periodic ? null : undefined,
        }),
        touchJobs(stored.Namespace, stored.ID, index),
      );
      if (changed) items.push(putJobVersion(job));
      if (evaluation) items.push(putNewEval(evaluation));
      try {
        await transact(items);
      } catch (error) {
        if (error instanceof TransactionConflict && attempt < 5) continue;
        throw error;
      }
    }
    if (evaluation) await queueNewEvals([evaluation]);
    return { evaluation, jobModifyIndex, index };
  }
}
