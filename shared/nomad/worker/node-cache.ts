import { addClaim } from '../scheduler/rank';
import type { AllocClaim } from '../store/allocs';
import { nodesIndex } from '../store/collection-index';
import { listNodes, readNodes, type StoredNode } from '../store/nodes';

/**
 * The worker's view of the cluster's nodes, kept across evaluations while a Lambda container
 * stays warm. Reading every node item for every evaluation would dominate the cost of
 * scheduling at thousands of nodes; instead the list is re-read only when the nodes collection
 * index moved (a node registered, went down, changed eligibility or drain; checked at most once
 * a second) or it is older than MAX_AGE_MS. An evaluation about one node (`node-update`,
 * `node-drain`) reads that node itself, so it never misses the change that caused it. Capacity claimed on nodes drifts in between, which is safe: the plan applier's
 * conditional writes refuse an overcommit, a refused node is re-read before re-planning, and an
 * evaluation that cannot place everything always re-plans on a fresh list before it blocks.
 */
const MAX_AGE_MS = 30_000;
/** How often the collection index is checked; an evaluation for a node change reads that node itself. */
const INDEX_CHECK_MS = 1_000;

interface Cache {
  nodes: StoredNode[];
  index: number;
  loadedAt: number;
  checkedAt: number;
}

let cache: Cache | undefined;
/** The list being read, shared by the evaluations of this process that want it meanwhile. */
let loading: Promise<ClusterNodes> | undefined;

export interface ClusterNodes {
  nodes: StoredNode[];
  /** Read from the store just now rather than from the warm cache. */
  fresh: boolean;
}

export async function clusterNodes(options: { fresh?: boolean; nodeId?: string } = {}): Promise<ClusterNodes> {
  const now = Date.now();
  if (!options.fresh && cache && now - cache.loadedAt < MAX_AGE_MS) {
    if (now - cache.checkedAt >= INDEX_CHECK_MS) {
      // Marked before the read, so evaluations starting meanwhile do not check again.
      cache.checkedAt = now;
      const index = await nodesIndex();
      if (index > cache.index) return shared(now, options.nodeId);
    }
    if (options.nodeId) await refreshNodes([options.nodeId]);
    return { nodes: cache.nodes, fresh: false };
  }
  // A fresh list must be read after it was asked for; an expired one may be the read under way.
  return options.fresh ? load(now) : shared(now, options.nodeId);
}

/**
 * The list read under way if there is one, else a new read. A joined read may have started before
 * the caller asked: the node its evaluation is about is read again, and the list does not count
 * as fresh (what fits nowhere on it is checked on a list of its own).
 */
async function shared(now: number, nodeId?: string): Promise<ClusterNodes> {
  const joined = loading !== undefined;
  loading ??= load(now).finally(() => {
    loading = undefined;
  });
  const listed = await loading;
  if (!joined) return listed;
  if (nodeId) await refreshNodes([nodeId]);
  return { nodes: cache!.nodes, fresh: false };
}

async function load(now: number): Promise<ClusterNodes> {
  // The index is read first, so a change made while the list is read is seen next time.
  const index = await nodesIndex();
  const nodes = await listNodes();
  cache = { nodes, index, loadedAt: now, checkedAt: now };
  return { nodes, fresh: true };
}

/**
 * Folds a transaction's capacity changes into the cached nodes while it is being committed, so that
 * the other evaluations this process runs meanwhile plan around them rather than race for the same
 * room (as Nomad's plan applier checks each plan against the results of those still in flight).
 * Returns what takes them back if the transaction does not commit.
 */
export function claimWhileCommitting(usage: Map<string, AllocClaim>): () => void {
  const claimed: [StoredNode, AllocClaim][] = [];
  for (const entry of cache?.nodes ?? []) {
    const change = usage.get(entry.node.ID);
    if (!change) continue;
    entry.used = addClaim(entry.used, change);
    claimed.push([entry, change]);
  }
  return () => {
    for (const [entry, change] of claimed) entry.used = addClaim(entry.used, change, -1);
  };
}

/** Re-reads nodes that refused a plan, so the next plan sees what they really hold. */
export async function refreshNodes(nodeIds: Iterable<string>): Promise<void> {
  const ids = [...nodeIds].filter(Boolean);
  if (!cache || ids.length === 0) return;
  const byId = new Map((await readNodes(ids)).map((entry) => [entry.node.ID, entry]));
  const gone = new Set(ids.filter((id) => !byId.has(id)));
  const known = new Set(cache.nodes.map((entry) => entry.node.ID));
  const added = [...byId.values()].filter((entry) => !known.has(entry.node.ID));
  cache = {
    ...cache,
    nodes: [...cache.nodes.filter((entry) => !gone.has(entry.node.ID)).map((entry) => byId.get(entry.node.ID) ?? entry), ...added],
  };
}
