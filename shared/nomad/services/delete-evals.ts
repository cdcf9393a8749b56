import { nextIndex } from '../../storage/index-clock';
import { NomadError } from '../errors';
import { rescheduleEligible } from '../scheduler/reschedule';
import { readJobAllocs, type StoredAlloc } from '../store/allocs';
import { walkEvals } from '../store/collection-walks';
import { deleteEvalIfUnchanged } from '../store/eval-deletes';
import { findEval } from '../store/evals';
import { readJob, type JobRecord } from '../store/jobs';
import { isOpenEval, type Evaluation } from '../structs/evaluation';

/**
 * `DELETE /v1/evaluations` (Nomad's Eval.Delete) without pausing a broker: our evaluations are
 * not held by a broker that could be paused, so only evaluations no worker can be holding are
 * deleted, that is finished ones (complete, failed, canceled), and each only if it is unchanged
 * since it was read. On top, Nomad's own safety rule (`isEvalDeleteSafe`): the job is gone,
 * stopped or dead, or none of the evaluation's allocations is running or unknown and none of its
 * failed ones may still be rescheduled.
 */
export type EvalDeleteRequest = { evalIds: string[] } | { filter: (evaluation: Evaluation) => boolean; namespaces: string[] };

export interface EvalDeleteResult {
  count: number;
  index: number;
}

/** Nomad's isEvalDeleteSafe, over the evaluation's own allocations. Pure. */
export function evalDeleteSafe(job: JobRecord['job'] | undefined, allocs: StoredAlloc[], now: number): boolean {
  if (!job || job.Stop || job.Status === 'dead') return true;
  return allocs.every(({ alloc }) => {
    if (alloc.ClientStatus === 'running' || alloc.ClientStatus === 'unknown') return false;
    if (alloc.ClientStatus !== 'failed') return true;
    const group = job.TaskGroups.find((candidate) => candidate.Name === alloc.TaskGroup);
    return !group || !rescheduleEligible(alloc, group.ReschedulePolicy, now);
  });
}

/** Reads each job and its allocations once for all the evaluations of a request. */
function safetyChecker() {
  const jobs = new Map<string, Promise<[JobRecord | undefined, StoredAlloc[]]>>();
  return async (evaluation: Evaluation): Promise<boolean> => {
    if (isOpenEval(evaluation.Status)) return false;
    const key = `${evaluation.Namespace}\n${evaluation.JobID}`;
    let pending = jobs.get(key);
    if (!pending) {
      pending = Promise.all([readJob(evaluation.Namespace, evaluation.JobID), readJobAllocs(evaluation.Namespace, evaluation.JobID)]);
      jobs.set(key, pending);
    }
    const [record, allocs] = await pending;
    return evalDeleteSafe(record?.job, allocs.filter((stored) => stored.alloc.EvalID === evaluation.ID), Date.now());
  };
}

async function deleteAll(evaluations: Evaluation[]): Promise<number> {
  let count = 0;
  for (let start = 0; start < evaluations.length; start += 25) {
    const results = await Promise.all(evaluations.slice(start, start + 25).map(deleteEvalIfUnchanged));
    count += results.filter(Boolean).length;
  }
  return count;
}

export async function deleteEvals(request: EvalDeleteRequest): Promise<EvalDeleteResult> {
  const safe = safetyChecker();
  const doomed: Evaluation[] = [];
  if ('evalIds' in request) {
    // By ID it is all or nothing: every evaluation must exist and be safe before any is deleted.
    for (const id of request.evalIds) {
      const evaluation = await findEval(id);
      if (!evaluation) throw new NomadError(404, 'eval not found');
      if (!(await safe(evaluation))) throw new NomadError(400, `eval ${id} is not safe to delete`);
      doomed.push(evaluation);
    }
  } else {
    for await (const evaluation of walkEvals({ namespaces: request.namespaces, reverse: false, pageSize: 500 })) {
      if (request.filter(evaluation) && (await safe(evaluation))) doomed.push(evaluation);
    }
  }
  const count = await deleteAll(doomed);
  return { count, index: nextIndex() };
}
