import type { Constraint, Job, TaskGroup } from '../structs/job';
import type { Node } from '../structs/node';
import { DISTINCT_HOSTS, DISTINCT_PROPERTY } from './constraints';
import type { ProposedAllocs } from './proposed';

/**
 * `distinct_hosts` and `distinct_property`, checked last against the proposed allocations:
 * at job level they count every group of the job, at group level only the group. Pure.
 */
interface DistinctRule {
  constraint: Constraint;
  /** undefined: the whole job. */
  group: string | undefined;
}

export function distinctRules(job: Job, group: TaskGroup): DistinctRule[] {
  const rules: DistinctRule[] = [];
  const take = (constraints: Constraint[] | null, scope: string | undefined) => {
    for (const constraint of constraints ?? []) {
      if (constraint.Operand === DISTINCT_HOSTS && constraint.RTarget !== 'false') rules.push({ constraint, group: scope });
      if (constraint.Operand === DISTINCT_PROPERTY) rules.push({ constraint, group: scope });
    }
  };
  take(job.Constraints, undefined);
  take(group.Constraints, group.Name);
  return rules;
}

/** The name of the rule the node breaks, or undefined. */
export function distinctViolation(rules: DistinctRule[], node: Node, proposed: ProposedAllocs): string | undefined {
  for (const { constraint, group } of rules) {
    if (constraint.Operand === DISTINCT_HOSTS) {
      if (proposed.onNode(node.ID, group) > 0) return DISTINCT_HOSTS;
      continue;
    }
    const counts = proposed.property(constraint.LTarget, group);
    if (counts.valueOf(node) === undefined) return DISTINCT_PROPERTY;
    const allowed = constraint.RTarget ? Number.parseInt(constraint.RTarget, 10) : 1;
    if (counts.count(node) >= (Number.isFinite(allowed) && allowed > 0 ? allowed : 1)) return DISTINCT_PROPERTY;
  }
  return undefined;
}
