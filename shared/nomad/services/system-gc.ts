import { nextIndex } from '../../storage/index-clock';
import { rescheduleEligible } from '../scheduler/reschedule';
import { listNodeAllocs, readJobAllocs, type StoredAlloc } from '../store/allocs';
import { walkEvals } from '../store/collection-walks';
import { deleteEvalIfUnchanged } from '../store/eval-deletes';
import { listJobEvals } from '../store/evals';
import { deleteNode, deleteTerminalAlloc, purgeJobPartition } from '../store/gc-deletes';
import { deleteSources } from '../store/job-purge';
import { readJob, walkJobIds, type JobRecord } from '../store/jobs';
import { listNamespaces } from '../store/namespaces';
import { listDownNodes } from '../store/nodes';
import { isOpenEval, type Evaluation } from '../structs/evaluation';
import { isParentJob, type Job } from '../structs/job';

/**
 * `PUT /v1/system/gc`: Nomad's forced garbage collection (the `force-gc` core job), which ignores
 * the age thresholds: every object that is terminal by Nomad's rules goes now.
 * - Jobs (`jobIsGCable`): dead, and stopped or batch/sysbatch (periodic and parameterized parents
 *   only when stopped), with every evaluation and allocation collectable and no deployment
 *   active; the whole job partition is deleted.
 * - Evaluations (`gcEval`): finished, with every allocation collectable; their terminal
 *   allocations go with them. A batch job's evaluations stay while the job is not stopped and
 *   dead, but its allocations of older job versions go.
 * - Allocations (`allocGCEligible`): terminal, and not a failure that may still be rescheduled.
 * - Nodes: down, with no live allocation.
 */
export interface GcResult {
  jobs: number;
  evals: number;
  allocs: number;
  nodes: number;
}

function jobIsGcable(job: Job): boolean {
  if (isParentJob(job) && !job.Dispatched) return job.Stop;
  if (job.Status !== 'dead') return false;
  return job.Stop || job.Type === 'batch' || job.Type === 'sysbatch';
}

function allocGcEligible(stored: StoredAlloc, job: Job | undefined, now: number): boolean {
  if (stored.live) return false;
  const { alloc } = stored;
  if (!job || job.Stop || alloc.DesiredStatus !== 'run' || alloc.ClientStatus !== 'failed' || alloc.NextAllocation) return true;
  const group = job.TaskGroups.find((candidate) => candidate.Name === alloc.TaskGroup);
  return !group || !rescheduleEligible(alloc, group.ReschedulePolicy, now);
}

/** Nomad's gcEval: whether the evaluation goes, and which of its allocations go. */
function gcEval(evaluation: Evaluation, job: Job | undefined, allocs: StoredAlloc[], allowBatch: boolean, now: number): { collect: boolean; allocs: StoredAlloc[] } {
  if (isOpenEval(evaluation.Status)) return { collect: false, allocs: [] };
  if (evaluation.Type === 'batch' && job && !(job.Status === 'dead' && (job.Stop || allowBatch))) {
    const older = allocs.filter((stored) => !stored.live && (stored.jobCreateIndex !== job.CreateIndex || stored.jobVersion < job.Version));
    return { collect: older.length === allocs.length, allocs: older };
  }
  const eligible = allocs.filter((stored) => allocGcEligible(stored, job, now));
  return { collect: eligible.length === allocs.length, allocs: eligible };
}

async function collectJob(namespace: string, jobId: string, result: GcResult, now: number): Promise<void> {
  const [record, evals, allocs] = await Promise.all([readJob(namespace, jobId), listJobEvals(namespace, jobId), readJobAllocs(namespace, jobId)]);
  const job = record?.job;
  const decisions = evals.map((evaluation) => ({
    evaluation,
    ...gcEval(evaluation, job, allocs.filter((stored) => stored.alloc.EvalID === evaluation.ID), !!job && jobIsGcable(job), now),
  }));
  if (record && job && jobIsGcable(job) && record.counters.ActiveDeployments === 0 && record.counters.LiveAllocs === 0) {
    const everything = decisions.every((decision) => decision.collect) && allocs.every((stored) => !stored.live);
    if (everything) {
      const sources = await purgeJobPartition(record as JobRecord, nextIndex());
      if (sources) {
        await deleteSources(sources);
        result.jobs++;
        result.evals += evals.length;
        result.allocs += allocs.length;
        return;
      }
    }
  }
  for (const decision of decisions) {
    for (const stored of decision.allocs) if (await deleteTerminalAlloc(stored)) result.allocs++;
    if (decision.collect && (await deleteEvalIfUnchanged(decision.evaluation))) result.evals++;
  }
}

/** Every job partition that holds a job or an evaluation, in every namespace. */
async function jobKeys(namespaces: string[]): Promise<[string, string][]> {
  const keys = new Map<string, [string, string]>();
  for (const namespace of namespaces) {
    for await (const jobId of walkJobIds({ namespace, reverse: false, pageSize: 200 })) keys.set(`${namespace}\n${jobId}`, [namespace, jobId]);
  }
  for await (const evaluation of walkEvals({ namespaces, reverse: false, pageSize: 500 })) {
    keys.set(`${evaluation.Namespace}\n${evaluation.JobID}`, [evaluation.Namespace, evaluation.JobID]);
  }
  return [...keys.values()];
}

export async function collectGarbage(now = Date.now()): Promise<GcResult> {
  const result: GcResult = { jobs: 0, evals: 0, allocs: 0, nodes: 0 };
  const namespaces = (await listNamespaces()).map((entry) => entry.Name);
  for (const [namespace, jobId] of await jobKeys(namespaces)) await collectJob(namespace, jobId, result, now);
  for (const stored of await listDownNodes()) {
    const allocs = await listNodeAllocs(stored.node.ID);
    if (allocs.some((entry) => entry.live)) continue;
    if (await deleteNode(stored.node.ID, stored.node.ModifyIndex, nextIndex())) result.nodes++;
  }
  return result;
}
