import type { AllocMetric } from '../structs/evaluation';
import type { Constraint, Job, TaskGroup } from '../structs/job';
import type { Node } from '../structs/node';
import type { StoredNode } from '../structs/cluster-state';
import { constraintText, DISTINCT_HOSTS, DISTINCT_PROPERTY, isUniqueTarget, meetsConstraint } from './constraints';

/**
 * Feasibility: which nodes may run a job's task group at all, regardless of free capacity.
 * Base nodes come first (ready, eligible, not draining, in the pool and a datacenter), then the
 * checks Nomad runs in order: job constraints, drivers, group and task constraints. Results are
 * cached per computed node class for the evaluation; constraints on `unique.*` targets cannot be
 * cached and are checked on every node (the evaluation then "escapes" its classes).
 */
const globCache = new Map<string, RegExp>();

/** Nomad matches datacenters with globs (`*`, `?`). */
export function datacenterMatches(pattern: string, datacenter: string): boolean {
  let regex = globCache.get(pattern);
  if (!regex) {
    regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    globCache.set(pattern, regex);
  }
  return regex.test(datacenter);
}

export function isSchedulable(node: Node): boolean {
  return node.Status === 'ready' && node.SchedulingEligibility === 'eligible' && !node.DrainStrategy;
}

export function inPool(job: Pick<Job, 'NodePool'>, node: Node): boolean {
  return job.NodePool === 'all' || (node.NodePool || 'default') === job.NodePool;
}

export function inDatacenters(job: Pick<Job, 'Datacenters'>, node: Node): boolean {
  return job.Datacenters.some((pattern) => datacenterMatches(pattern, node.Datacenter));
}

export interface BaseNodes {
  nodes: StoredNode[];
  /** Ready nodes per datacenter the job may use (AllocMetric.NodesAvailable). */
  available: Record<string, number>;
  /** Nodes in the job's pool (AllocMetric.NodesInPool). */
  inPool: number;
}

/**
 * Base nodes per node list and (pool, datacenters): a worker reuses one list across many
 * evaluations, and what makes a node a base node (status, eligibility, drain, pool,
 * datacenter) cannot change within one list.
 */
const baseCache = new WeakMap<StoredNode[], Map<string, BaseNodes>>();

/** Ready, eligible, undrained nodes in the job's pool and datacenters. */
export function baseNodes(job: Job, nodes: StoredNode[]): BaseNodes {
  let perList = baseCache.get(nodes);
  if (!perList) baseCache.set(nodes, (perList = new Map()));
  const key = `${job.NodePool}\0${job.Datacenters.join('\0')}`;
  let base = perList.get(key);
  if (!base) perList.set(key, (base = filterBaseNodes(job, nodes)));
  return base;
}

function filterBaseNodes(job: Job, nodes: StoredNode[]): BaseNodes {
  const result: BaseNodes = { nodes: [], available: {}, inPool: 0 };
  for (const entry of nodes) {
    const node = entry.node;
    if (!inPool(job, node)) continue;
    result.inPool++;
    if (!isSchedulable(node) || !inDatacenters(job, node)) continue;
    result.available[node.Datacenter] = (result.available[node.Datacenter] ?? 0) + 1;
    result.nodes.push(entry);
  }
  return result;
}

function driverAvailable(node: Node, driver: string): boolean {
  const info = node.Drivers?.[driver];
  if (info) return info.Detected && info.Healthy;
  const attribute = node.Attributes?.[`driver.${driver}`];
  return attribute === '1' || attribute === 'true';
}

/** Constraints a node alone decides (not distinct_*), job first, then group, then tasks. */
function nodeConstraints(job: Job, group: TaskGroup): { job: Constraint[]; group: Constraint[] } {
  const nodeLevel = (constraint: Constraint) => constraint.Operand !== DISTINCT_HOSTS && constraint.Operand !== DISTINCT_PROPERTY;
  return {
    job: (job.Constraints ?? []).filter(nodeLevel),
    group: [...(group.Constraints ?? []), ...group.Tasks.flatMap((task) => task.Constraints ?? [])].filter(nodeLevel),
  };
}

interface GroupChecks {
  cached: { job: Constraint[]; group: Constraint[] };
  escaped: Constraint[];
  drivers: string[];
  byClass: Map<string, string | undefined>;
}

export class Feasibility {
  private readonly groups = new Map<string, GroupChecks>();
  /** Per computed class: whether the job could run there (Evaluation.ClassEligibility). */
  readonly classEligibility: Record<string, boolean> = {};
  escaped = false;

  constructor(private readonly job: Job) {}

  private checks(group: TaskGroup): GroupChecks {
    let checks = this.groups.get(group.Name);
    if (!checks) {
      const all = nodeConstraints(this.job, group);
      const escapes = (constraint: Constraint) => isUniqueTarget(constraint.LTarget) || isUniqueTarget(constraint.RTarget);
      checks = {
        cached: { job: all.job.filter((c) => !escapes(c)), group: all.group.filter((c) => !escapes(c)) },
        escaped: [...all.job, ...all.group].filter(escapes),
        drivers: [...new Set(group.Tasks.map((task) => task.Driver))],
        byClass: new Map(),
      };
      if (checks.escaped.length > 0) this.escaped = true;
      this.groups.set(group.Name, checks);
    }
    return checks;
  }

  private classReason(checks: GroupChecks, node: Node): string | undefined {
    for (const constraint of checks.cached.job) if (!meetsConstraint(constraint, node)) return constraintText(constraint);
    for (const driver of checks.drivers) if (!driverAvailable(node, driver)) return 'missing drivers';
    for (const constraint of checks.cached.group) if (!meetsConstraint(constraint, node)) return constraintText(constraint);
    return undefined;
  }

  /** Why the node cannot run the group, in Nomad's ConstraintFiltered wording, or undefined. */
  reason(group: TaskGroup, node: Node): string | undefined {
    const checks = this.checks(group);
    const key = node.ComputedClass || node.ID;
    let reason: string | undefined;
    if (checks.byClass.has(key)) {
      reason = checks.byClass.get(key);
    } else {
      reason = this.classReason(checks, node);
      checks.byClass.set(key, reason);
      if (node.ComputedClass) this.classEligibility[node.ComputedClass] ||= reason === undefined;
    }
    if (reason) return reason;
    for (const constraint of checks.escaped) if (!meetsConstraint(constraint, node)) return constraintText(constraint);
    return undefined;
  }
}

function bump(map: Record<string, number> | null, key: string): Record<string, number> {
  const result = map ?? {};
  result[key] = (result[key] ?? 0) + 1;
  return result;
}

/** Nomad's FilterNode: counts the node and why it was filtered. */
export function recordFiltered(metric: AllocMetric, node: Node, reason: string): void {
  metric.NodesFiltered++;
  if (node.NodeClass) metric.ClassFiltered = bump(metric.ClassFiltered, node.NodeClass);
  metric.ConstraintFiltered = bump(metric.ConstraintFiltered, reason);
}

/** Nomad's ExhaustedNode: counts the node and the dimension it ran out of. */
export function recordExhausted(metric: AllocMetric, node: Node, dimension: string): void {
  metric.NodesExhausted++;
  if (node.NodeClass) metric.ClassExhausted = bump(metric.ClassExhausted, node.NodeClass);
  metric.DimensionExhausted = bump(metric.DimensionExhausted, dimension);
}
