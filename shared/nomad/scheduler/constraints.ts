import { RE2JS } from 're2js';
import type { Constraint } from '../structs/job';
import type { Node } from '../structs/node';
import { versionSatisfies } from './version-constraint';

/**
 * Constraint checking against one node, as Nomad's ConstraintChecker does it: targets are
 * literals or `${node.*}`, `${attr.*}`, `${meta.*}` interpolations; an operand compares the
 * resolved left and right values. `distinct_hosts` and `distinct_property` depend on other
 * allocations, not on the node alone, and are left to distinct.ts. Pure.
 */
export const DISTINCT_HOSTS = 'distinct_hosts';
export const DISTINCT_PROPERTY = 'distinct_property';

export interface Resolved {
  value: string;
  found: boolean;
}

export function resolveTarget(target: string | undefined, node: Node): Resolved {
  target ??= '';
  if (!target.startsWith('${')) return { value: target, found: true };
  switch (target) {
    case '${node.unique.id}':
      return { value: node.ID, found: true };
    case '${node.datacenter}':
      return { value: node.Datacenter, found: true };
    case '${node.unique.name}':
      return { value: node.Name, found: true };
    case '${node.class}':
      return { value: node.NodeClass, found: true };
    case '${node.pool}':
      return { value: node.NodePool || 'default', found: true };
  }
  const lookup = (prefix: string, map: Record<string, string> | null | undefined): Resolved | undefined => {
    if (!target.startsWith(prefix) || !target.endsWith('}')) return undefined;
    const key = target.slice(prefix.length, -1);
    const value = map?.[key];
    return value === undefined ? { value: '', found: false } : { value, found: true };
  };
  return lookup('${attr.', node.Attributes) ?? lookup('${meta.', node.Meta) ?? { value: '', found: false };
}

/** Whether a target names a `unique.*` attribute, which escapes node-class caching. */
export function isUniqueTarget(target: string | undefined): boolean {
  if (!target) return false;
  return target.startsWith('${node.unique.') || target.startsWith('${attr.unique.') || target.startsWith('${meta.unique.');
}

/** Nomad's checkOrder: integers, else floats, else strings. */
function checkOrder(operand: string, left: string, right: string): boolean {
  const asInt = (text: string) => (/^[-+]?\d+$/.test(text.trim()) ? Number(text) : undefined);
  const asFloat = (text: string) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined);
  let a: number | string | undefined = asInt(left);
  let b: number | string | undefined = asInt(right);
  if (a === undefined || b === undefined) {
    a = asFloat(left);
    b = asFloat(right);
  }
  if (a === undefined || b === undefined) {
    a = left;
    b = right;
  }
  switch (operand) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}

function setOf(text: string): Set<string> {
  return new Set(text.split(',').map((item) => item.trim()));
}

const regexCache = new Map<string, RE2JS | null>();

/** Go's regexp syntax (RE2), as Nomad compiles it. */
function regexMatches(value: string, pattern: string): boolean {
  if (!regexCache.has(pattern)) {
    try {
      regexCache.set(pattern, RE2JS.compile(pattern));
    } catch {
      regexCache.set(pattern, null);
    }
  }
  return regexCache.get(pattern)?.matcher(value).find() ?? false;
}

export function checkOperand(operand: string, left: Resolved, right: Resolved): boolean {
  const both = left.found && right.found;
  switch (operand) {
    case DISTINCT_HOSTS:
    case DISTINCT_PROPERTY:
      return true;
    case '=':
    case '==':
    case 'is':
      return both && left.value === right.value;
    case '!=':
    case 'not':
      return left.found !== right.found || left.value !== right.value;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return both && checkOrder(operand, left.value, right.value);
    case 'is_set':
      return left.found;
    case 'is_not_set':
      return !left.found;
    case 'version':
      return both && versionSatisfies(left.value, right.value, 'version');
    case 'semver':
      return both && versionSatisfies(left.value, right.value, 'semver');
    case 'regexp':
      return both && regexMatches(left.value, right.value);
    case 'set_contains':
    case 'set_contains_all': {
      if (!both) return false;
      const have = setOf(left.value);
      return [...setOf(right.value)].every((item) => have.has(item));
    }
    case 'set_contains_any': {
      if (!both) return false;
      const have = setOf(left.value);
      return [...setOf(right.value)].some((item) => have.has(item));
    }
    default:
      return false;
  }
}

export function meetsConstraint(constraint: Constraint, node: Node): boolean {
  return checkOperand(constraint.Operand, resolveTarget(constraint.LTarget, node), resolveTarget(constraint.RTarget, node));
}

/** How Nomad names a constraint in ConstraintFiltered: `${attr.kernel.name} = linux`. */
export function constraintText(constraint: Constraint): string {
  return `${constraint.LTarget ?? ''} ${constraint.Operand} ${constraint.RTarget ?? ''}`;
}
