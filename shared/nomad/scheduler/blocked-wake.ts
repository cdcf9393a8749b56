import { datacenterMatches } from './feasible';

/**
 * Which blocked evaluations a node that appeared or gained capacity may wake (Nomad's
 * BlockedEvals.Unblock, narrowed further). Pure.
 *
 * A blocked evaluation is filed under buckets named by its job's node pool and datacenters,
 * `<pool>#<datacenter>`, one per datacenter; a job whose datacenters hold a glob (`*`, `dc-?`),
 * that targets more than MAX_INDEXED_DATACENTERS of them, or whose pool is `all` is filed under
 * the one bucket every node looks at (ANY_BUCKET), and told apart there by its patterns. A node
 * looks at its own `<pool>#<datacenter>` bucket and the ANY bucket only, so a node joining one
 * datacenter never reads the evaluations blocked on another.
 *
 * Within those, the node's computed class decides, as in Nomad: an evaluation that escaped class
 * eligibility (a constraint on a unique attribute) is woken; one that was found ineligible on the
 * class is not (nothing on a node of that class can have changed for it); one that never saw the
 * class, or was eligible on it (and lacked capacity), is.
 */
export const ANY_BUCKET = '*';

/** Beyond this many datacenters a job is filed once under ANY_BUCKET: the index items ride in the transaction that blocks it. */
export const MAX_INDEXED_DATACENTERS = 4;

export interface BlockedTarget {
  Datacenters: string[];
  NodePool: string;
}

/** The node that appeared or gained capacity, as far as waking cares. */
export interface ChangedNode {
  Datacenter: string;
  NodePool?: string;
  ComputedClass?: string;
}

/** What the index keeps of a blocked evaluation. */
export interface BlockedEntry extends BlockedTarget {
  Namespace: string;
  JobID: string;
  EvalID: string;
  ClassEligibility?: Record<string, boolean>;
  EscapedComputedClass?: boolean;
}

const isGlob = (pattern: string) => /[*?]/.test(pattern);

export function blockedBuckets(target: BlockedTarget): string[] {
  const datacenters = [...new Set(target.Datacenters)];
  if (target.NodePool === 'all' || datacenters.length === 0 || datacenters.length > MAX_INDEXED_DATACENTERS || datacenters.some(isGlob)) return [ANY_BUCKET];
  return datacenters.map((datacenter) => `${target.NodePool}#${datacenter}`);
}

export function nodeBuckets(node: ChangedNode): string[] {
  return [`${node.NodePool || 'default'}#${node.Datacenter}`, ANY_BUCKET];
}

export function couldPlaceOn(entry: BlockedEntry, node: ChangedNode): boolean {
  const pool = node.NodePool || 'default';
  if (entry.NodePool !== 'all' && entry.NodePool !== pool) return false;
  if (!entry.Datacenters.some((pattern) => datacenterMatches(pattern, node.Datacenter))) return false;
  if (!node.ComputedClass || entry.EscapedComputedClass) return true;
  const eligibility = entry.ClassEligibility ?? {};
  return !(node.ComputedClass in eligibility) || eligibility[node.ComputedClass];
}
