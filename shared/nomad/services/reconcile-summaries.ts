import { nextIndex } from '../../storage/index-clock';
import { NomadError } from '../errors';
import { readJobAllocs, type StoredAlloc } from '../store/allocs';
import { replaceJobSummary } from '../store/job-summary';
import { readJob, walkJobIds, type JobRecord } from '../store/jobs';
import { listNamespaces } from '../store/namespaces';
import { BUCKET } from '../status/summary';
import type { TaskGroupSummary } from '../structs/job';

/**
 * `PUT /v1/system/reconcile/summaries` (Nomad's ReconcileJobSummaries): every job's summary is
 * counted again from its allocations of the current registration, one bucket per client status.
 * `Queued` is kept: it comes from the evaluation that last looked at the group, not from
 * allocations. A job that changes while it is recounted is recounted again.
 */
/** Pure: the summary the allocations add up to. */
export function countedSummary(record: JobRecord, allocs: StoredAlloc[]): Record<string, TaskGroupSummary> {
  const summary: Record<string, TaskGroupSummary> = {};
  for (const group of record.job.TaskGroups ?? []) {
    summary[group.Name] = { Queued: record.summary.Summary[group.Name]?.Queued ?? 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 };
  }
  for (const { alloc, jobCreateIndex } of allocs) {
    if (jobCreateIndex !== record.job.CreateIndex) continue;
    const group = (summary[alloc.TaskGroup] ??= { Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 });
    const bucket = BUCKET[alloc.ClientStatus];
    if (bucket) group[bucket]++;
  }
  return summary;
}

async function reconcileJob(namespace: string, jobId: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [record, allocs] = await Promise.all([readJob(namespace, jobId), readJobAllocs(namespace, jobId)]);
    if (!record) return;
    if (await replaceJobSummary(record.job, countedSummary(record, allocs), nextIndex())) return;
  }
  throw new NomadError(500, `reconciliation of job summaries failed: job ${jobId} kept changing`);
}

export async function reconcileSummaries(): Promise<number> {
  let jobs = 0;
  for (const { Name: namespace } of await listNamespaces()) {
    for await (const jobId of walkJobIds({ namespace, reverse: false, pageSize: 200 })) {
      await reconcileJob(namespace, jobId);
      jobs++;
    }
  }
  return jobs;
}
