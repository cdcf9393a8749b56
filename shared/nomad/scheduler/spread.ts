import type { Job, Spread, TaskGroup } from '../structs/job';
import type { Node } from '../structs/node';
import type { PropertyCounts, ProposedAllocs } from './proposed';

/**
 * Spread scoring (Nomad's SpreadIterator). For each spread attribute of the group (job-level
 * spreads apply to every group): with targets, a node scores by how far its value is below
 * the count its percentage asks for (`*` takes whatever percentage is left); without targets,
 * values with fewer allocations than the others score higher. A node lacking the attribute
 * gets the full penalty (-1). Pure.
 */
const IMPLICIT_TARGET = '*';

interface SpreadPlan {
  counts: PropertyCounts;
  weight: number;
  /** Desired allocations per value; empty means spread evenly. */
  desired: Map<string, number>;
}

export class SpreadScorer {
  private readonly plans: SpreadPlan[];
  private readonly sumWeights: number;

  constructor(job: Job, group: TaskGroup, proposed: ProposedAllocs) {
    const spreads: Spread[] = [...(job.Spreads ?? []), ...(group.Spreads ?? [])];
    this.sumWeights = spreads.reduce((sum, spread) => sum + (spread.Weight || 0), 0);
    this.plans = spreads.map((spread) => {
      const desired = new Map<string, number>();
      let percent = 0;
      for (const target of spread.SpreadTarget ?? []) {
        desired.set(target.Value, (target.Percent / 100) * group.Count);
        percent += target.Percent;
      }
      if (desired.size > 0 && percent < 100) desired.set(IMPLICIT_TARGET, ((100 - percent) / 100) * group.Count);
      return { counts: proposed.property(spread.Attribute, group.Name), weight: spread.Weight || 0, desired };
    });
  }

  get active(): boolean {
    return this.plans.length > 0;
  }

  score(node: Node): number {
    let total = 0;
    for (const plan of this.plans) {
      const value = plan.counts.valueOf(node);
      if (value === undefined) {
        total -= 1;
        continue;
      }
      if (plan.desired.size === 0) {
        total += evenSpreadBoost(plan.counts, value);
        continue;
      }
      const desired = plan.desired.get(value) ?? plan.desired.get(IMPLICIT_TARGET);
      if (desired === undefined || desired === 0) {
        total -= 1;
        continue;
      }
      const used = (plan.counts.counts.get(value) ?? 0) + 1;
      total += ((desired - used) / desired) * (this.sumWeights > 0 ? plan.weight / this.sumWeights : 0);
    }
    return total;
  }
}

function evenSpreadBoost(counts: PropertyCounts, value: string): number {
  if (counts.counts.size === 0) return 0;
  const current = counts.counts.get(value) ?? 0;
  let min = 0;
  let max = 0;
  for (const count of counts.counts.values()) {
    if (min === 0 || count < min) min = count;
    if (max === 0 || count > max) max = count;
  }
  if (current !== min) return min === 0 ? -1 : (min - current) / min;
  if (min === max) return -1;
  return (max - current) / max;
}
