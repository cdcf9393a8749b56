import { LEVEL_RANK, withImpliedCapabilities, type NamespaceCapability } from './capabilities';
import type { PolicyRules } from './policy';

/**
 * A compiled ACL (Nomad's acl.ACL): the union of a token's policies. Namespace rules are looked
 * up exactly first, then by the closest matching glob; `deny` anywhere wins over every grant.
 * Pure.
 */
type Capabilities = Set<NamespaceCapability>;

export interface Acl {
  management: boolean;
  allowNamespace(namespace: string, ...anyOf: NamespaceCapability[]): boolean;
  /** Whether the token holds any capability in the namespace (to see that it exists). */
  allowNamespaceAny(namespace: string): boolean;
  allowNode(level: 'read' | 'write'): boolean;
  allowAgent(level: 'read' | 'write'): boolean;
  allowOperator(level: 'read' | 'write'): boolean;
  /** A `variables` capability (`read`, `list`, `write`, `destroy`) on a path; `claim` is a workload's identity. */
  allowVariable(namespace: string, path: string, capability: string, claim?: WorkloadClaim): boolean;
  /** Whether any variables rule names the namespace (Nomad's loose AllowVariableSearch; paths are checked one by one). */
  allowVariableSearch(namespace: string): boolean;
}

/** Who a workload is (Nomad's ACLClaim): it may read and list its job's, group's and task's variables. */
export interface WorkloadClaim {
  Namespace: string;
  Job: string;
  Group: string;
  Task: string;
}

export const MANAGEMENT_ACL: Acl = {
  management: true,
  allowNamespace: () => true,
  allowNamespaceAny: () => true,
  allowNode: () => true,
  allowAgent: () => true,
  allowOperator: () => true,
  allowVariable: () => true,
  allowVariableSearch: () => true,
};

const WORKLOAD_VARIABLE_CAPABILITIES = new Set(['read', 'list']);

function workloadPaths(claim: WorkloadClaim): string[] {
  return ['nomad/jobs', `nomad/jobs/${claim.Job}`, `nomad/jobs/${claim.Job}/${claim.Group}`, `nomad/jobs/${claim.Job}/${claim.Group}/${claim.Task}`];
}

function globMatches(glob: string, name: string): boolean {
  const pattern = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(name);
}

/** Folds a coarse level into the one held so far: the highest wins, but deny sticks. */
function foldLevel(current: string | undefined, next: string | undefined): string | undefined {
  if (next === undefined) return current;
  if (current === 'deny' || next === 'deny') return 'deny';
  if (current === undefined) return next;
  return (LEVEL_RANK[next] ?? 0) > (LEVEL_RANK[current] ?? 0) ? next : current;
}

function allows(held: string | undefined, wanted: 'read' | 'write'): boolean {
  if (held === undefined || held === 'deny') return false;
  return (LEVEL_RANK[held] ?? 0) >= LEVEL_RANK[wanted];
}

export function compileAcl(policies: PolicyRules[]): Acl {
  const exact = new Map<string, Capabilities>();
  const globs = new Map<string, Capabilities>();
  let node: string | undefined;
  let agent: string | undefined;
  let operator: string | undefined;
  // Keyed `<namespace>\0<path>` as Nomad keys them; a glob in either part makes the rule a glob.
  const exactVariables = new Map<string, Set<string>>();
  const globVariables = new Map<string, Set<string>>();
  for (const policy of policies) {
    for (const rule of policy.namespaces) {
      for (const path of rule.variables ?? []) {
        const key = `${rule.name}\0${path.path}`;
        const target = rule.name.includes('*') || path.path.includes('*') ? globVariables : exactVariables;
        const set = target.get(key) ?? new Set<string>();
        for (const capability of path.capabilities) set.add(capability);
        target.set(key, set);
      }
      const target = rule.name.includes('*') ? globs : exact;
      const set = target.get(rule.name) ?? new Set<NamespaceCapability>();
      for (const capability of rule.capabilities) set.add(capability);
      target.set(rule.name, set);
    }
    node = foldLevel(node, policy.node);
    agent = foldLevel(agent, policy.agent);
    operator = foldLevel(operator, policy.operator);
  }
  for (const map of [exact, globs]) {
    for (const [name, set] of map) map.set(name, set.has('deny') ? new Set(['deny']) : withImpliedCapabilities(set));
  }
  const compiled = new Map<string, Capabilities>();

  function lookup(namespace: string): Capabilities | undefined {
    const cached = compiled.get(namespace);
    if (cached) return cached;
    let found = exact.get(namespace);
    if (!found) {
      let best: { difference: number; set: Capabilities } | undefined;
      for (const [glob, set] of globs) {
        if (!globMatches(glob, namespace)) continue;
        const difference = namespace.length - glob.replaceAll('*', '').length;
        if (!best || difference < best.difference) best = { difference, set };
      }
      found = best?.set;
    }
    if (found) compiled.set(namespace, found);
    return found;
  }

  /** Exact rule, then the workload's own paths, then the closest glob (fewest characters left to the wildcards). */
  function variableCapabilities(namespace: string, path: string, claim?: WorkloadClaim): Set<string> | undefined {
    const key = `${namespace}\0${path}`;
    const exactSet = exactVariables.get(key);
    if (exactSet) return exactSet;
    if (claim && claim.Namespace === namespace && workloadPaths(claim).includes(path)) return WORKLOAD_VARIABLE_CAPABILITIES;
    let best: { difference: number; set: Set<string> } | undefined;
    for (const [glob, set] of globVariables) {
      if (!globMatches(glob, key)) continue;
      const difference = key.length - glob.length + glob.split('*').length - 1;
      if (!best || difference < best.difference) best = { difference, set };
    }
    return best?.set;
  }

  return {
    management: false,
    allowVariable: (namespace, path, capability, claim) => variableCapabilities(namespace, path, claim)?.has(capability) ?? false,
    allowVariableSearch: (namespace) =>
      namespace === '*' ? exactVariables.size + globVariables.size > 0 : [...exactVariables.keys(), ...globVariables.keys()].some((key) => key.startsWith(namespace)),
    allowNamespace(namespace, ...anyOf) {
      const held = lookup(namespace);
      if (!held || held.has('deny')) return false;
      return anyOf.some((capability) => held.has(capability));
    },
    allowNamespaceAny(namespace) {
      const held = lookup(namespace);
      return !!held && !held.has('deny') && held.size > 0;
    },
    allowNode: (level) => allows(node, level),
    allowAgent: (level) => allows(agent, level),
    allowOperator: (level) => allows(operator, level),
  };
}
