import type { Job, TaskGroup } from '../structs/job';
import type { Node } from '../structs/node';
import type { StoredNode } from '../store/nodes';

/**
 * Feasibility: which nodes may run a job's task group at all, regardless of free capacity.
 */

/** Nomad matches datacenters with globs (`*`, `?`). */
export function datacenterMatches(pattern: string, datacenter: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(datacenter);
}

function isSchedulable(node: Node): boolean {
  return node.Status === 'ready' && node.SchedulingEligibility === 'eligible' && !node.DrainStrategy;
}

function inPool(job: Job, node: Node): boolean {
  return job.NodePool === 'all' || (node.NodePool || 'default') === job.NodePool;
}

export interface BaseNodes {
  nodes: StoredNode[];
  /** Ready nodes per datacenter the job may use (AllocMetric.NodesAvailable). */
  available: Record<string, number>;
  /** Nodes in the job's pool (AllocMetric.NodesInPool). */
  inPool: number;
}

/** Ready, eligible, undrained nodes in the job's pool and datacenters. */
export function baseNodes(job: Job, nodes: StoredNode[]): BaseNodes {
  const result: BaseNodes = { nodes: [], available: {}, inPool: 0 };
  for (const entry of nodes) {
    const node = entry.node;
    if (!inPool(job, node)) continue;
    result.inPool++;
    if (!isSchedulable(node)) continue;
    if (!job.Datacenters.some((pattern) => datacenterMatches(pattern, node.Datacenter))) continue;
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

/** Why a node cannot run a group, in Nomad's ConstraintFiltered wording, or undefined if it can. */
export function infeasibleReason(group: TaskGroup, node: Node): string | undefined {
  for (const task of group.Tasks) {
    if (!driverAvailable(node, task.Driver)) return 'missing drivers';
  }
  return undefined;
}
