import { serviceLogger } from '../../observability/logger';
import { nextIndex } from '../../storage/index-clock';
import { couldPlaceOn, nodeBuckets, type BlockedEntry, type ChangedNode } from '../scheduler/blocked-wake';
import { dropBlockedEntry, listBlockedEntries, readEntryEvals } from '../store/blocked-evals';
import { listOpenEvals } from '../store/evals';
import type { Evaluation } from '../structs/evaluation';
import { enqueueEvals } from '../store/eval-queue';

/**
 * Capacity appeared: give blocked evaluations another try. They stay `blocked` in the store
 * while queued; the worker either places them (complete) or blocks them again, so an unblock that
 * is lost or repeated never loses or duplicates work. Each unblock is sent with its own
 * deduplication suffix: an evaluation the worker is looking at right now goes through once more
 * after it, on the capacity that appeared meanwhile (SQS FIFO keeps it behind the one in flight).
 *
 * When nodes appeared or gained capacity (a registration, an eligibility or drain change,
 * allocations that stopped), only the evaluations that could now place on one of them are woken,
 * found through the blocked-evaluation index (store/blocked-evals.ts) by the nodes' pool and
 * datacenter and then by their computed class (scheduler/blocked-wake.ts): no node's arrival
 * reads every blocked evaluation. Without nodes (the periodic retry of `max-plan-attempts`
 * evaluations) every blocked evaluation the scope selects is sent. Either way they go to the wake
 * queue, behind fresh work (store/eval-queue.ts).
 */
const logger = serviceLogger('placement-worker');

export interface UnblockScope {
  exceptJobId?: string;
  /** The nodes that appeared or gained capacity. */
  nodes?: ChangedNode[];
  /** Only evaluations triggered so (the periodic retry of `max-plan-attempts` evaluations). */
  triggeredBy?: string;
}

export async function unblockEvals(scope: UnblockScope = {}): Promise<number> {
  const blocked = scope.nodes ? await wakeableOn(scope.nodes, scope.exceptJobId) : await listAllBlocked(scope);
  await enqueueEvals(blocked, `unblock-${nextIndex()}`, 'wake');
  return blocked.length;
}

async function listAllBlocked(scope: UnblockScope): Promise<Evaluation[]> {
  return (await listOpenEvals('blocked')).filter(
    (evaluation) => evaluation.JobID !== scope.exceptJobId && (!scope.triggeredBy || evaluation.TriggeredBy === scope.triggeredBy),
  );
}

/** The blocked evaluations that could place on one of `nodes`, one per job; stale index entries are dropped on the way. */
async function wakeableOn(nodes: ChangedNode[], exceptJobId: string | undefined): Promise<Evaluation[]> {
  if (nodes.length === 0) return [];
  const buckets = [...new Set(nodes.flatMap(nodeBuckets))];
  const byJob = new Map<string, BlockedEntry>();
  for (const entry of await listBlockedEntries(buckets)) {
    if (entry.JobID === exceptJobId || !nodes.some((node) => couldPlaceOn(entry, node))) continue;
    byJob.set(`${entry.Namespace}\0${entry.JobID}`, entry);
  }
  if (byJob.size === 0) return [];
  const entries = [...byJob.values()];
  const evals = new Map((await readEntryEvals(entries)).map((evaluation) => [evaluation.ID, evaluation]));
  const wake: Evaluation[] = [];
  for (const entry of entries) {
    const evaluation = evals.get(entry.EvalID);
    if (evaluation?.Status === 'blocked') wake.push(evaluation);
    else await dropBlockedEntry(entry).catch((error) => logger.warn('could not drop a stale blocked-evaluation entry', { evalId: entry.EvalID, error }));
  }
  return wake;
}
