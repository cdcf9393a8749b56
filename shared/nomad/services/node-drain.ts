import { nextIndex } from '../../storage/index-clock';
import { transact } from '../../storage/transact';
import { badRequest, notFound } from '../errors';
import { desiredTransitionItem, listNodeAllocs, type StoredAlloc } from '../store/allocs';
import { readJobs } from '../store/jobs';
import { listNodes, readNode, transitionNode, type StoredNode } from '../store/nodes';
import { unblockEvals } from '../worker/unblock';
import { createJobEvals, jobsForNode } from './node-evals';

/**
 * Operators' node controls (`PUT /v1/node/:id/drain` and `/eligibility`). A drain makes the node
 * ineligible and marks its allocations to migrate (DesiredTransition.Migrate); `node-drain`
 * evaluations let the scheduler move them. System allocations stay unless the drain says
 * otherwise, as in Nomad. The periodic duties finish a drain once nothing but system work is
 * left or its deadline passed.
 */
export interface NodeUpdateResult {
  evalIds: string[];
  evalCreateIndex: number;
  nodeModifyIndex: number;
  index: number;
}

export interface DrainSpec {
  Deadline: number;
  IgnoreSystemJobs: boolean;
}

async function requireNode(nodeId: string): Promise<StoredNode> {
  const stored = await readNode(nodeId);
  if (!stored) throw notFound('node not found');
  return stored;
}

/** Marks the node's live allocations to migrate; returns the jobs they belong to. */
async function markMigrations(nodeId: string, ignoreSystemJobs: boolean, index: number) {
  const live = (await listNodeAllocs(nodeId)).filter((stored) => stored.live);
  const read = await readJobs(live.map((stored) => ({ namespace: stored.alloc.Namespace, jobId: stored.alloc.JobID })));
  const jobs = new Map([...read.values()].map((record) => [`${record.job.Namespace}\0${record.job.ID}`, record]));
  const jobOf = (stored: StoredAlloc) => jobs.get(`${stored.alloc.Namespace}\0${stored.alloc.JobID}`);
  const marked = live.filter((stored) => {
    const type = jobOf(stored)?.job.Type;
    return type === 'service' || type === 'batch' || ((type === 'system' || type === 'sysbatch') && !ignoreSystemJobs);
  });
  for (let start = 0; start < marked.length; start += 100) {
    await transact(marked.slice(start, start + 100).map((stored) => desiredTransitionItem(stored.alloc, 'Migrate', index)));
  }
  return [...new Set(marked.map((stored) => jobOf(stored)!))];
}

export async function drainNode(nodeId: string, spec: DrainSpec | null, markEligible: boolean, now = Date.now()): Promise<NodeUpdateResult> {
  const before = await requireNode(nodeId);
  const index = nextIndex();
  if (!spec) {
    const stored = await transitionNode(
      nodeId,
      { drainStrategy: null, eligibility: markEligible ? 'eligible' : undefined, event: 'Node drain strategy cancelled' },
      index,
      now,
    );
    if (stored && markEligible) await unblockEvals({ nodes: [stored.node] });
    return { evalIds: [], evalCreateIndex: 0, nodeModifyIndex: index, index };
  }
  const deadlineMs = spec.Deadline / 1_000_000;
  const strategy = {
    Deadline: spec.Deadline,
    IgnoreSystemJobs: spec.IgnoreSystemJobs,
    ForceDeadline: spec.Deadline > 0 ? new Date(now + deadlineMs).toISOString() : '0001-01-01T00:00:00Z',
    StartedAt: new Date(now).toISOString(),
  };
  const stored = await transitionNode(
    nodeId,
    { drainStrategy: strategy, eligibility: 'ineligible', event: 'Node drain strategy set', lastDrain: { Status: 'draining', StartedAt: strategy.StartedAt, UpdatedAt: strategy.StartedAt, Meta: null, AccessorID: '' } },
    index,
    now,
  );
  const records = await markMigrations(nodeId, spec.IgnoreSystemJobs, index);
  const evals = await createJobEvals(records, 'node-drain', stored?.node ?? before.node);
  // A node with nothing to move is drained at once, as Nomad's drainer ends it without a tick.
  if (stored && records.length === 0) await finishDrain(stored, now);
  return { evalIds: evals.map((evaluation) => evaluation.ID), evalCreateIndex: evals[0]?.CreateIndex ?? 0, nodeModifyIndex: index, index };
}

export async function setEligibility(nodeId: string, eligibility: string, now = Date.now()): Promise<NodeUpdateResult> {
  if (eligibility !== 'eligible' && eligibility !== 'ineligible') throw badRequest('invalid scheduling eligibility');
  const before = await requireNode(nodeId);
  if (eligibility === 'eligible' && before.node.DrainStrategy) {
    throw badRequest("can not set node's scheduling eligibility to eligible while it is draining");
  }
  const index = nextIndex();
  const stored = await transitionNode(nodeId, { eligibility, event: `Node marked as ${eligibility} for scheduling` }, index, now);
  let evalIds: string[] = [];
  if (stored && eligibility === 'eligible' && before.node.SchedulingEligibility !== 'eligible') {
    const evals = await createJobEvals(await jobsForNode(stored.node, { withSystemJobs: true }), 'node-update', stored.node);
    evalIds = evals.map((evaluation) => evaluation.ID);
    await unblockEvals({ nodes: [stored.node] });
  }
  return { evalIds, evalCreateIndex: 0, nodeModifyIndex: index, index };
}

/** Ends a node's drain if nothing is left to move (system work aside) or its deadline passed. */
async function finishDrain(entry: StoredNode, now: number): Promise<boolean> {
  const strategy = entry.node.DrainStrategy as { ForceDeadline?: string; StartedAt?: string } | null;
  if (!strategy) return false;
  const live = (await listNodeAllocs(entry.node.ID)).filter((stored) => stored.live && stored.alloc.DesiredTransition?.Migrate);
  const deadline = strategy.ForceDeadline && !strategy.ForceDeadline.startsWith('0001') ? Date.parse(strategy.ForceDeadline) : Infinity;
  if (live.length > 0 && now < deadline) return false;
  const done = await transitionNode(
    entry.node.ID,
    {
      drainStrategy: null,
      event: 'Node drain complete',
      lastDrain: { Status: 'complete', StartedAt: strategy.StartedAt ?? null, UpdatedAt: new Date(now).toISOString(), Meta: null, AccessorID: '' },
    },
    nextIndex(),
    now,
  );
  return done !== undefined;
}

/** Ends drains with nothing left to move (system work aside) or past their deadline. */
export async function completeDrains(now = Date.now()): Promise<number> {
  let completed = 0;
  for (const entry of await listNodes(undefined, { usage: false })) {
    if (await finishDrain(entry, now)) completed++;
  }
  return completed;
}
