import { nodeCapacity, type Node } from '../structs/node';
import type { AllocClaim } from '../structs/cluster-state';

/**
 * Ranking: does an allocation fit on a node, and how good a home is the node for it.
 */
export type Dimension = 'cpu' | 'memory' | 'disk';
export type Algorithm = 'binpack' | 'spread';

/** Capacity per node object, computed once (nodes are read-only to the scheduler). */
const capacities = new WeakMap<Node, ReturnType<typeof nodeCapacity>>();
function capacityOf(node: Node) {
  let capacity = capacities.get(node);
  if (!capacity) capacities.set(node, (capacity = nodeCapacity(node)));
  return capacity;
}

/** The first dimension the claim would overflow on the node, or undefined if it fits. */
export function exhaustedDimension(node: Node, used: AllocClaim, claim: AllocClaim): Dimension | undefined {
  const capacity = capacityOf(node);
  if (used.CpuShares + claim.CpuShares > capacity.CpuShares) return 'cpu';
  if (used.MemoryMB + claim.MemoryMB > capacity.MemoryMB) return 'memory';
  if (used.DiskMB + claim.DiskMB > capacity.DiskMB) return 'disk';
  return undefined;
}

/**
 * Nomad's bin-packing score (ScoreFitBinPack), normalised to [0, 1]: fuller nodes score higher,
 * so allocations pack onto few nodes. `spread` inverts it (ScoreFitSpread).
 */
export function fitScore(node: Node, used: AllocClaim, claim: AllocClaim, algorithm: Algorithm = 'binpack'): number {
  const capacity = capacityOf(node);
  const freeCpu = capacity.CpuShares > 0 ? 1 - (used.CpuShares + claim.CpuShares) / capacity.CpuShares : 0;
  const freeMemory = capacity.MemoryMB > 0 ? 1 - (used.MemoryMB + claim.MemoryMB) / capacity.MemoryMB : 0;
  const total = 10 ** freeCpu + 10 ** freeMemory;
  const raw = algorithm === 'binpack' ? 20 - total : total - 2;
  return Math.min(18, Math.max(0, raw)) / 18;
}

/** The same capacity given back rather than taken. */
export function negateClaim(claim: AllocClaim): AllocClaim {
  return { CpuShares: -claim.CpuShares, MemoryMB: -claim.MemoryMB, DiskMB: -claim.DiskMB };
}

export function addClaim(a: AllocClaim, b: AllocClaim, sign = 1): AllocClaim {
  return {
    CpuShares: a.CpuShares + sign * b.CpuShares,
    MemoryMB: a.MemoryMB + sign * b.MemoryMB,
    DiskMB: a.DiskMB + sign * b.DiskMB,
  };
}
