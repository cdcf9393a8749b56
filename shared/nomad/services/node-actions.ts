import { nextIndex } from '../../storage/index-clock';
import { notFound } from '../errors';
import { listNodeAllocs } from '../store/allocs';
import { deleteNode } from '../store/gc-deletes';
import { listNodes, readNode } from '../store/nodes';
import { createJobEvals, jobsForNode } from './node-evals';

/**
 * `POST /v1/node/:id/evaluate` and `POST /v1/node/:id/purge` (Nomad's Node.Evaluate and
 * Node.Deregister): `node-update` evaluations for every job with allocations on the node and
 * every system job that would run there; a purge deletes the node first, so the scheduler finds
 * its allocations on a node that is gone and replaces them as lost.
 */
export interface NodeEvalResult {
  evalIds: string[];
  evalCreateIndex: number;
  nodeModifyIndex: number;
  index: number;
  numNodes: number;
}

export async function evaluateNode(nodeId: string): Promise<NodeEvalResult> {
  const stored = await readNode(nodeId);
  if (!stored) throw notFound('node not found');
  const evals = await createJobEvals(await jobsForNode(stored.node, { withSystemJobs: true }), 'node-update', stored.node);
  const index = evals[0]?.CreateIndex ?? nextIndex();
  return { evalIds: evals.map((evaluation) => evaluation.ID), evalCreateIndex: index, nodeModifyIndex: 0, index, numNodes: (await listNodes(undefined, { usage: false })).length };
}

export async function purgeNode(nodeId: string): Promise<NodeEvalResult> {
  for (let attempt = 0; ; attempt++) {
    const stored = await readNode(nodeId);
    if (!stored) throw notFound('node not found');
    const [jobs, allocs] = await Promise.all([jobsForNode(stored.node, { withSystemJobs: true }), listNodeAllocs(nodeId)]);
    const index = nextIndex();
    if (!(await deleteNode(nodeId, stored.node.ModifyIndex, index, allocs.some((entry) => entry.live)))) {
      if (attempt < 5) continue;
      throw new Error(`node ${nodeId} kept changing while it was purged`);
    }
    const evals = await createJobEvals(jobs, 'node-update', stored.node);
    return {
      evalIds: evals.map((evaluation) => evaluation.ID),
      evalCreateIndex: evals[0]?.CreateIndex ?? 0,
      nodeModifyIndex: index,
      index,
      numNodes: (await listNodes(undefined, { usage: false })).length,
    };
  }
}
