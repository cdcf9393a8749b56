import { collectionIndex } from '../../storage/table-index';
import type { AllocClaim } from '../store/allocs';
import { NODES_COLLECTION } from '../store/keys';
import { listNodes, readNode, type StoredNode } from '../store/nodes';

/**
 * The worker's view of the cluster's nodes, kept across evaluations while a Lambda container
 * stays warm. Reading every node item for every evaluation would dominate the cost of
 * scheduling at thousands of nodes; instead the list is re-read only when the nodes collection
 * index moved (a node registered, went down, changed eligibility or drain) or it is older than
 * MAX_AGE_MS. Capacity claimed on nodes drifts in between, which is safe: the plan applier's
 * conditional writes refuse an overcommit, a refused node is re-read before re-planning, and an
 * evaluation that cannot place everything always re-plans on a fresh list before it blocks.
 */
const MAX_AGE_MS = 30_000;

interface Cache {
  nodes: StoredNode[];
  index: number;
  loadedAt: number;
}

let cache: Cache | undefined;

export interface ClusterNodes {
  nodes: StoredNode[];
  /** Read from the store just now rather than from the warm cache. */
  fresh: boolean;
}

export async function clusterNodes(options: { fresh?: boolean } = {}): Promise<ClusterNodes> {
  const now = Date.now();
  const index = await collectionIndex(NODES_COLLECTION);
  if (!options.fresh && cache && now - cache.loadedAt < MAX_AGE_MS && index <= cache.index) {
    return { nodes: cache.nodes, fresh: false };
  }
  const nodes = await listNodes();
  cache = { nodes, index, loadedAt: now };
  return { nodes, fresh: true };
}

/** Folds a committed transaction's capacity changes into the cached nodes. */
export function recordUsage(usage: Map<string, AllocClaim>): void {
  if (!cache) return;
  for (const entry of cache.nodes) {
    const change = usage.get(entry.node.ID);
    if (!change) continue;
    entry.used = {
      CpuShares: entry.used.CpuShares + change.CpuShares,
      MemoryMB: entry.used.MemoryMB + change.MemoryMB,
      DiskMB: entry.used.DiskMB + change.DiskMB,
    };
  }
}

/** Re-reads nodes that refused a plan, so the next plan sees what they really hold. */
export async function refreshNodes(nodeIds: Iterable<string>): Promise<void> {
  const ids = [...nodeIds].filter(Boolean);
  if (!cache || ids.length === 0) return;
  const fresh = await Promise.all(ids.map((id) => readNode(id)));
  const byId = new Map(fresh.filter((entry): entry is StoredNode => !!entry).map((entry) => [entry.node.ID, entry]));
  const gone = new Set(ids.filter((id) => !byId.has(id)));
  cache = {
    ...cache,
    nodes: cache.nodes.filter((entry) => !gone.has(entry.node.ID)).map((entry) => byId.get(entry.node.ID) ?? entry),
  };
}

/** Forgets the cache (tests that swap tables under a warm worker). */
export function forgetNodes(): void {
  cache = undefined;
}
