import { nextIndex } from '../../storage/index-clock';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { inDatacenters, inPool } from '../scheduler/feasible';
import { listNodeAllocs } from '../store/allocs';
import { putNewEval } from '../store/evals';
import { jobDeltaUpdate } from '../store/job-counters';
import { readJobs, type JobRecord } from '../store/jobs';
import { listSystemJobs } from '../store/system-jobs';
import type { Evaluation } from '../structs/evaluation';
import type { Node } from '../structs/node';
import { queueNewEvals } from '../store/eval-queue';
import { newEval } from './new-eval';

/**
 * Evaluations a node change asks for (Nomad's createNodeEvals): one `node-update` (or
 * `node-drain`) evaluation for every job with live allocations on the node, and for every
 * system job whose pool and datacenters take the node. Each evaluation is written with its job's
 * OpenEvals counter in one transaction, then queued.
 */

/** Jobs with allocations still live on the node. */
async function jobsOnNode(nodeId: string): Promise<JobRecord[]> {
  const allocs = (await listNodeAllocs(nodeId)).filter((stored) => stored.live);
  const records = await readJobs(allocs.map((stored) => ({ namespace: stored.alloc.Namespace, jobId: stored.alloc.JobID })));
  return [...records.values()];
}

export async function jobsForNode(node: Node, options: { withSystemJobs: boolean }): Promise<JobRecord[]> {
  const [onNode, system] = await Promise.all([jobsOnNode(node.ID), options.withSystemJobs ? listSystemJobs() : Promise.resolve([])]);
  const byKey = new Map(onNode.map((record) => [`${record.job.Namespace}\0${record.job.ID}`, record]));
  for (const record of system) {
    if (record.job.Stop || !inPool(record.job, node) || !inDatacenters(record.job, node)) continue;
    byKey.set(`${record.job.Namespace}\0${record.job.ID}`, record);
  }
  return [...byKey.values()];
}

/** Writes and queues one evaluation per job; returns them. */
export async function createJobEvals(records: JobRecord[], triggeredBy: string, node?: Node): Promise<Evaluation[]> {
  const created: Evaluation[] = [];
  for (let start = 0; start < records.length; start += 45) {
    let batch = records.slice(start, start + 45);
    for (let attempt = 0; batch.length > 0; attempt++) {
      const index = nextIndex();
      const now = Date.now();
      const evals = batch.map((record) => {
        const evaluation = newEval({
          namespace: record.job.Namespace,
          jobId: record.job.ID,
          type: record.job.Type,
          priority: record.job.Priority,
          triggeredBy,
          jobModifyIndex: record.job.JobModifyIndex,
          index,
          now,
          nodeId: node?.ID,
        });
        if (node) evaluation.NodeModifyIndex = node.ModifyIndex;
        return evaluation;
      });
      const items: TransactItem[] = [];
      batch.forEach((record, i) => {
        items.push(putNewEval(evals[i]), jobDeltaUpdate(record.job.Namespace, record.job.ID, record.job.CreateIndex, { openEvals: 1, hadEval: true }, index));
      });
      try {
        await transact(items);
        created.push(...evals);
        break;
      } catch (error) {
        if (!(error instanceof TransactionConflict) || attempt >= 5) throw error;
        // Jobs purged or registered anew in between get no evaluation; the rest retry.
        const gone = new Set(error.failedConditions.filter((position) => position % 2 === 1).map((position) => (position - 1) / 2));
        batch = batch.filter((_, i) => !gone.has(i));
      }
    }
  }
  await queueNewEvals(created);
  return created;
}
