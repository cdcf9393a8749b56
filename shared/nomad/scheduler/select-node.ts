import type { AllocMetric } from '../structs/evaluation';
import type { TaskGroup } from '../structs/job';
import type { AllocClaim } from '../store/allocs';
import type { StoredNode } from '../store/nodes';
import { infeasibleReason, type BaseNodes } from './feasible';
import { addClaim, exhaustedDimension, fitScore } from './rank';

/**
 * Picks a node for each placement the way Nomad's stack does: walk the (shuffled) feasible nodes
 * from where the previous placement stopped, score the ones the allocation fits on, and stop after
 * a small sample (power of two choices for batch, log2(n) for services) instead of scoring every
 * node. Usage includes the placements and stops already in this plan.
 */
export interface Selection {
  node: StoredNode;
  score: number;
}

export function emptyMetric(base: BaseNodes): AllocMetric {
  return {
    NodesEvaluated: 0,
    NodesFiltered: 0,
    NodesInPool: base.inPool,
    NodesAvailable: { ...base.available },
    ClassFiltered: null,
    ConstraintFiltered: null,
    NodesExhausted: 0,
    ClassExhausted: null,
    DimensionExhausted: null,
    QuotaExhausted: null,
    ResourcesExhausted: null,
    Scores: null,
    ScoreMetaData: null,
    AllocationTime: 0,
    CoalescedFailures: 0,
  };
}

function bump(map: Record<string, number> | null, key: string): Record<string, number> {
  const result = map ?? {};
  result[key] = (result[key] ?? 0) + 1;
  return result;
}

/** Candidates scored per placement (Nomad's LimitIterator). */
export function sampleLimit(nodeCount: number, batch: boolean): number {
  if (batch || nodeCount === 0) return 2;
  return Math.max(2, Math.ceil(Math.log2(nodeCount)));
}

/** Candidates scoring at or below zero that are passed over before one is accepted anyway. */
const MAX_SKIP = 3;

export class NodeSelector {
  private offset = 0;
  private readonly usage = new Map<string, AllocClaim>();
  /** Allocations of this job and group per node, for job anti-affinity. */
  private readonly collisions = new Map<string, number>();
  private readonly feasibility = new Map<string, string | undefined>();

  constructor(
    private readonly base: BaseNodes,
    private readonly limit: number,
  ) {
    for (const entry of base.nodes) this.usage.set(entry.node.ID, { ...entry.used });
  }

  /** Records capacity given back on a node by a stop in this plan. */
  release(nodeId: string, claim: AllocClaim): void {
    const current = this.usage.get(nodeId);
    if (current) this.usage.set(nodeId, addClaim(current, claim, -1));
  }

  /** Records an existing allocation of the job's group, for anti-affinity. */
  countCollision(nodeId: string, group: string): void {
    const key = `${nodeId}\0${group}`;
    this.collisions.set(key, (this.collisions.get(key) ?? 0) + 1);
  }

  select(group: TaskGroup, claim: AllocClaim, metric: AllocMetric): Selection | undefined {
    const nodes = this.base.nodes;
    let best: Selection | undefined;
    let fitting = 0;
    const skipped: Selection[] = [];
    for (let step = 0; step < nodes.length && fitting < this.limit; step++) {
      const entry = nodes[(this.offset + step) % nodes.length];
      metric.NodesEvaluated++;
      const reason = this.infeasible(group, entry);
      if (reason) {
        metric.NodesFiltered++;
        metric.ConstraintFiltered = bump(metric.ConstraintFiltered, reason);
        continue;
      }
      const used = this.usage.get(entry.node.ID)!;
      const dimension = exhaustedDimension(entry.node, used, claim);
      if (dimension) {
        metric.NodesExhausted++;
        metric.DimensionExhausted = bump(metric.DimensionExhausted, dimension);
        if (entry.node.NodeClass) metric.ClassExhausted = bump(metric.ClassExhausted, entry.node.NodeClass);
        continue;
      }
      const score = this.score(group, entry, used, claim);
      if (score <= 0 && skipped.length < MAX_SKIP) {
        skipped.push({ node: entry, score });
        continue;
      }
      fitting++;
      if (!best || score > best.score) best = { node: entry, score };
    }
    this.offset = (this.offset + Math.max(1, metric.NodesEvaluated)) % Math.max(1, nodes.length);
    if (!best && skipped.length > 0) {
      best = skipped.reduce((a, b) => (b.score > a.score ? b : a));
    }
    if (best) this.claim(best.node.node.ID, group.Name, claim);
    return best;
  }

  private infeasible(group: TaskGroup, entry: StoredNode): string | undefined {
    const key = `${group.Name}\0${entry.node.ID}`;
    if (!this.feasibility.has(key)) this.feasibility.set(key, infeasibleReason(group, entry.node));
    return this.feasibility.get(key);
  }

  private score(group: TaskGroup, entry: StoredNode, used: AllocClaim, claim: AllocClaim): number {
    const scores = [fitScore(entry.node, used, claim)];
    const collisions = this.collisions.get(`${entry.node.ID}\0${group.Name}`) ?? 0;
    if (collisions > 0) scores.push((-1 * (collisions + 1)) / Math.max(1, group.Count));
    return scores.reduce((sum, value) => sum + value, 0) / scores.length;
  }

  private claim(nodeId: string, group: string, claim: AllocClaim): void {
    this.usage.set(nodeId, addClaim(this.usage.get(nodeId)!, claim));
    this.countCollision(nodeId, group);
  }
}
