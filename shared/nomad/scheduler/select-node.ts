import type { AllocMetric } from '../structs/evaluation';
import type { Affinity, Job, TaskGroup } from '../structs/job';
import type { AllocClaim, StoredNode } from '../structs/cluster-state';
import { affinityScore, groupAffinities } from './affinity';
import { distinctRules, distinctViolation } from './distinct';
import { recordExhausted, recordFiltered, type BaseNodes, type Feasibility } from './feasible';
import type { ProposedAllocs } from './proposed';
import { addClaim, exhaustedDimension, fitScore, type Algorithm } from './rank';
import { SpreadScorer } from './spread';

/**
 * Picks a node for each placement the way Nomad's stack does: walk the base nodes in a random
 * order (a random start and a random stride coprime with their number: a permutation without
 * shuffling thousands of nodes per evaluation) from where the previous placement stopped, filter the infeasible ones, score those the
 * allocation fits on, and stop after a small sample (two for batch, log2(n) for services, a
 * hundred when affinities or spreads need a real comparison) instead of scoring every node.
 * Usage and the proposed allocations include the placements and stops already in this plan.
 */
export interface Selection {
  node: StoredNode;
  score: number;
  /** The scores that made it, by Nomad's scorer names. */
  scores: Record<string, number>;
}

export function emptyMetric(base: Pick<BaseNodes, 'inPool' | 'available'>): AllocMetric {
  return {
    NodesEvaluated: 0,
    NodesFiltered: 0,
    NodesInPool: base.inPool,
    // Shared by every metric of the evaluation: nothing writes to it.
    NodesAvailable: base.available,
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

/** Candidates scored per placement (Nomad's LimitIterator). */
export function sampleLimit(nodeCount: number, batch: boolean): number {
  if (batch || nodeCount === 0) return 2;
  return Math.max(2, Math.ceil(Math.log2(nodeCount)));
}

/** Candidates scoring at or below zero that are passed over before one is accepted anyway. */
const MAX_SKIP = 3;

interface GroupStack {
  distinct: ReturnType<typeof distinctRules>;
  affinities: Affinity[];
  spread: SpreadScorer;
  limit: number;
}

export interface SelectorOptions {
  algorithm: Algorithm;
  batch: boolean;
  random: () => number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** A random stride that visits every one of `n` positions before repeating. */
function coprimeStride(n: number, random: () => number): number {
  if (n <= 2) return 1;
  let stride = 1 + Math.floor(random() * (n - 1));
  while (gcd(stride, n) !== 1) stride = (stride % (n - 1)) + 1;
  return stride;
}

export class NodeSelector {
  private offset = 0;
  private readonly start: number;
  private readonly stride: number;
  /** Capacity claimed per node, for nodes this plan changed; others read their stored usage. */
  private readonly usage = new Map<string, AllocClaim>();
  private readonly stacks = new Map<string, GroupStack>();
  /** Per group, the node the previous placement went to. */
  private readonly lastChosen = new Map<string, StoredNode>();

  constructor(
    private readonly job: Job,
    private readonly base: BaseNodes,
    private readonly feasibility: Feasibility,
    private readonly proposed: ProposedAllocs,
    private readonly options: SelectorOptions,
  ) {
    const n = base.nodes.length;
    this.start = n > 0 ? Math.floor(options.random() * n) : 0;
    this.stride = coprimeStride(n, options.random);
  }

  /** Records capacity given back on a node by a stop in this plan. */
  release(entry: StoredNode, claim: AllocClaim): void {
    this.usage.set(entry.node.ID, addClaim(this.usedOn(entry), claim, -1));
  }

  private usedOn(entry: StoredNode): AllocClaim {
    return this.usage.get(entry.node.ID) ?? entry.used;
  }

  private stack(group: TaskGroup): GroupStack {
    let stack = this.stacks.get(group.Name);
    if (!stack) {
      const affinities = groupAffinities(this.job, group);
      const spread = new SpreadScorer(this.job, group, this.proposed);
      const wide = affinities.length > 0 || spread.active;
      stack = {
        distinct: distinctRules(this.job, group),
        affinities,
        spread,
        limit: wide ? Math.max(group.Count, 100) : sampleLimit(this.base.nodes.length, this.options.batch),
      };
      this.stacks.set(group.Name, stack);
    }
    return stack;
  }

  /** Feasibility and fit of one node; the node's scores if it can take the allocation. */
  private evaluate(group: TaskGroup, stack: GroupStack, entry: StoredNode, claim: AllocClaim, metric: AllocMetric, penalty?: Set<string>) {
    metric.NodesEvaluated++;
    const reason = this.feasibility.reason(group, entry.node) ?? distinctViolation(stack.distinct, entry.node, this.proposed);
    if (reason) {
      recordFiltered(metric, entry.node, reason);
      return undefined;
    }
    const used = this.usedOn(entry);
    const dimension = exhaustedDimension(entry.node, used, claim);
    if (dimension) {
      recordExhausted(metric, entry.node, dimension);
      return undefined;
    }
    const scores: Record<string, number> = { binpack: fitScore(entry.node, used, claim, this.options.algorithm) };
    const collisions = this.proposed.onNode(entry.node.ID, group.Name);
    if (collisions > 0) scores['job-anti-affinity'] = (-1 * (collisions + 1)) / Math.max(1, group.Count);
    if (penalty?.has(entry.node.ID)) scores['node-reschedule-penalty'] = -1;
    const affinity = affinityScore(stack.affinities, entry.node);
    if (affinity !== 0) scores['node-affinity'] = affinity;
    if (stack.spread.active) {
      const spread = stack.spread.score(entry.node);
      if (spread !== 0) scores['allocation-spread'] = spread;
    }
    const values = Object.values(scores);
    return { node: entry, scores, score: values.reduce((sum, value) => sum + value, 0) / values.length };
  }

  select(group: TaskGroup, claim: AllocClaim, metric: AllocMetric, penalty?: Set<string>): Selection | undefined {
    const nodes = this.base.nodes;
    const stack = this.stack(group);
    let best: Selection | undefined;
    let fitting = 0;
    const skipped: Selection[] = [];
    // Bin-packing keeps filling the node the previous placement went to while it fits and still
    // scores above zero with job anti-affinity counted (so small groups still spread): a plan
    // then touches a few nodes, not one per allocation, which is what makes committing it cheap
    // and keeps concurrent workers off each other's nodes. Spreads and affinities compare nodes.
    const previous = this.options.algorithm === 'binpack' && !stack.spread.active && stack.affinities.length === 0 ? this.lastChosen.get(group.Name) : undefined;
    if (previous) {
      const candidate = this.evaluate(group, stack, previous, claim, metric, penalty);
      if (candidate && candidate.score > 0) {
        this.claim(candidate.node, group.Name, claim);
        return candidate;
      }
      if (candidate) skipped.push(candidate);
    }
    let step = 0;
    for (; step < nodes.length && fitting < stack.limit; step++) {
      const position = (this.start + ((this.offset + step) % nodes.length) * this.stride) % nodes.length;
      if (nodes[position] === previous) continue;
      const candidate = this.evaluate(group, stack, nodes[position], claim, metric, penalty);
      if (!candidate) continue;
      if (candidate.score <= 0 && skipped.length < MAX_SKIP) {
        skipped.push(candidate);
        continue;
      }
      fitting++;
      if (!best || candidate.score > best.score) best = candidate;
    }
    this.offset = (this.offset + Math.max(1, step)) % Math.max(1, nodes.length);
    if (!best && skipped.length > 0) best = skipped.reduce((a, b) => (b.score > a.score ? b : a));
    if (best) {
      this.claim(best.node, group.Name, claim);
      this.lastChosen.set(group.Name, best.node);
    }
    return best;
  }

  /** Places on one given node if it is feasible and fits (the system scheduler's way). */
  selectOn(entry: StoredNode, group: TaskGroup, claim: AllocClaim, metric: AllocMetric): Selection | undefined {
    const candidate = this.evaluate(group, this.stack(group), entry, claim, metric);
    if (candidate) this.claim(entry, group.Name, claim);
    return candidate;
  }

  /** Whether the node passes feasibility for the group, without counting it in a metric. */
  feasible(entry: StoredNode, group: TaskGroup): boolean {
    return !this.feasibility.reason(group, entry.node) && !distinctViolation(this.stack(group).distinct, entry.node, this.proposed);
  }

  private claim(entry: StoredNode, group: string, claim: AllocClaim): void {
    this.usage.set(entry.node.ID, addClaim(this.usedOn(entry), claim));
    this.proposed.add({ node: entry.node, group });
  }
}
