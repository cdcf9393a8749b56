import type { Allocation } from './allocation';
import type { Node } from './node';

/**
 * The cluster as the scheduler reads it: allocations with the job version they run and the node
 * capacity they hold while live, nodes with the capacity their live allocations use. The store
 * keeps them so (store/allocs.ts, store/nodes.ts); the scheduler plans on them.
 */
export interface AllocClaim {
  CpuShares: number;
  MemoryMB: number;
  DiskMB: number;
}

export interface StoredAlloc {
  alloc: Allocation;
  jobVersion: number;
  jobCreateIndex: number;
  jobModifyIndex: number;
  live: boolean;
  claim: AllocClaim;
}

export interface StoredNode {
  node: Node;
  used: AllocClaim;
  /** Unix ms after which a node that has not heartbeated counts as down. */
  heartbeatExpiry?: number;
  /** When evaluations for the allocations lost with this down node were last created (index). */
  lostEvalsAt?: number;
}
