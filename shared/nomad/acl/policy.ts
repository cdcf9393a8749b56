import { MAX_NESTING_DEPTH, jsonTooDeep } from '../../util/json-depth';
import { hclTooDeep } from '../jobspec/hcl/nesting';
import { HclSyntaxError, parseHcl } from '../jobspec/hcl/syntax';
import { NAMESPACE_CAPABILITIES, expandNamespacePolicy, type NamespaceCapability } from './capabilities';

/**
 * Parses and validates the `Rules` of an ACL policy (HCL, or its JSON form) into what the ACL
 * needs, with Nomad's error texts (acl.Parse, strict mode, as when a policy is written).
 */
export interface NamespaceRule {
  name: string;
  capabilities: NamespaceCapability[];
  /** `variables { path "<glob>" { capabilities = [...] } }` inside the namespace block. */
  variables?: VariablePathRule[];
}

export interface VariablePathRule {
  path: string;
  capabilities: string[];
}

const VARIABLE_CAPABILITIES = new Set(['write', 'read', 'list', 'destroy', 'deny']);

export interface PolicyRules {
  namespaces: NamespaceRule[];
  nodePools: { name: string; capabilities: string[] }[];
  hostVolumes: { name: string; capabilities: string[] }[];
  node?: string;
  agent?: string;
  operator?: string;
  quota?: string;
  plugin?: string;
}

export class PolicyParseError extends Error {}

const VALID_NAMESPACE = /^[a-zA-Z0-9-*]{1,128}$/;
const VALID_POOL = /^[a-zA-Z0-9-_*]{1,128}$/;
const KNOWN_KEYS = new Set(['namespace', 'node_pool', 'host_volume', 'agent', 'node', 'operator', 'quota', 'plugin']);
const LEVELS = new Set(['deny', 'read', 'write', 'scale']);
const PLUGIN_LEVELS = new Set(['deny', 'read', 'list', 'write']);

type Loose = Record<string, any>;

/** The HCL reader gives every block as a list; HCL1's JSON form gives single objects. */
function blocks(value: unknown): Loose[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((entry) => typeof entry === 'object' && entry !== null);
}

function labelled(value: unknown): { name: string; body: Loose }[] {
  const result: { name: string; body: Loose }[] = [];
  for (const group of blocks(value)) {
    for (const [name, bodies] of Object.entries(group)) {
      for (const body of blocks(bodies)) result.push({ name, body });
    }
  }
  return result;
}

function field(body: Loose, name: string): any {
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : body[key];
}

function decode(rules: string): Loose {
  const trimmed = rules.trim();
  if (jsonTooDeep(trimmed) || hclTooDeep(rules) !== undefined) {
    throw new PolicyParseError(`Failed to parse ACL Policy: rules nest deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as Loose;
    } catch (error) {
      throw new PolicyParseError(`Failed to parse ACL Policy: ${(error as Error).message}`);
    }
  }
  try {
    return parseHcl(rules, 'policy.hcl');
  } catch (error) {
    if (error instanceof HclSyntaxError) throw new PolicyParseError(`Failed to parse ACL Policy: ${error.message}`);
    throw error;
  }
}

function level(body: Loose | undefined, kind: string, valid: Set<string>): string | undefined {
  if (!body) return undefined;
  const policy = field(body, 'policy') ?? '';
  if (!valid.has(policy)) throw new PolicyParseError(`Invalid ${kind} policy: ${JSON.stringify(body)}`);
  return policy;
}

/** acl.Parse's checks of a namespace's `variables` block; `read` implies `list`, `deny` stands alone. */
function variableRules(namespace: string, value: unknown): { variables?: VariablePathRule[] } {
  const block = blocks(value)[0];
  if (!block) return {};
  const paths: VariablePathRule[] = [];
  for (const group of blocks(field(block, 'path'))) {
    for (const [path, bodies] of Object.entries(group)) {
      for (const body of blocks(bodies)) paths.push({ path, capabilities: field(body, 'capabilities') ?? [] });
    }
  }
  if (paths.length === 0) throw new PolicyParseError(`Invalid variable policy: no variable paths in namespace ${namespace}`);
  for (const rule of paths) {
    if (rule.path === '') throw new PolicyParseError(`Invalid missing variable path in namespace ${namespace}`);
    if (rule.path.startsWith('/')) {
      throw new PolicyParseError(`Invalid variable path ${JSON.stringify(rule.path)} in namespace ${namespace}: cannot start with a leading '/'\``);
    }
    for (const capability of rule.capabilities) {
      if (!VARIABLE_CAPABILITIES.has(capability)) throw new PolicyParseError(`Invalid variable capability '${capability}' in namespace ${namespace}`);
    }
    if (rule.capabilities.includes('deny')) rule.capabilities = ['deny'];
    else if (rule.capabilities.includes('read') && !rule.capabilities.includes('list')) rule.capabilities = [...rule.capabilities, 'list'];
  }
  return { variables: paths };
}

export async function parsePolicyRules(rules: string): Promise<PolicyRules> {
  const result: PolicyRules = { namespaces: [], nodePools: [], hostVolumes: [] };
  // Nomad's acl.Parse answers an empty policy for empty rules (only whitespace or comments are invalid).
  if (rules === '') return result;
  const raw = decode(rules);
  const unknown = Object.keys(raw).filter((key) => !KNOWN_KEYS.has(key));

  for (const { name, body } of labelled(raw.namespace)) {
    if (!VALID_NAMESPACE.test(name)) throw new PolicyParseError(`Invalid namespace name: ${JSON.stringify(name)}`);
    const policy: string = field(body, 'policy') ?? '';
    if (policy && !LEVELS.has(policy)) throw new PolicyParseError(`Invalid namespace policy: ${JSON.stringify({ Name: name, Policy: policy })}`);
    const capabilities: string[] = field(body, 'capabilities') ?? [];
    for (const capability of capabilities) {
      if (!(NAMESPACE_CAPABILITIES as readonly string[]).includes(capability)) {
        throw new PolicyParseError(`Invalid namespace capability '${capability}': ${JSON.stringify({ Name: name, Policy: policy })}`);
      }
    }
    result.namespaces.push({
      name,
      capabilities: [...(capabilities as NamespaceCapability[]), ...expandNamespacePolicy(policy)],
      ...variableRules(name, field(body, 'variables')),
    });
  }
  for (const { name, body } of labelled(raw.node_pool)) {
    if (!VALID_POOL.test(name)) throw new PolicyParseError(`Invalid node pool name '${name}'`);
    result.nodePools.push({ name, capabilities: [...(field(body, 'capabilities') ?? []), field(body, 'policy') ?? ''].filter(Boolean) });
  }
  for (const { name, body } of labelled(raw.host_volume)) {
    if (!VALID_NAMESPACE.test(name)) throw new PolicyParseError(`Invalid host volume name: ${JSON.stringify(name)}`);
    result.hostVolumes.push({ name, capabilities: [...(field(body, 'capabilities') ?? []), field(body, 'policy') ?? ''].filter(Boolean) });
  }
  if (unknown.length > 0) throw new PolicyParseError(`Invalid or duplicate policy keys: ${unknown.join(', ')}`);
  result.agent = level(blocks(raw.agent)[0], 'agent', LEVELS);
  result.node = level(blocks(raw.node)[0], 'node', LEVELS);
  result.operator = level(blocks(raw.operator)[0], 'operator', LEVELS);
  result.quota = level(blocks(raw.quota)[0], 'quota', LEVELS);
  result.plugin = level(blocks(raw.plugin)[0], 'plugin', PLUGIN_LEVELS);
  const empty =
    result.namespaces.length + result.nodePools.length + result.hostVolumes.length === 0 &&
    [result.agent, result.node, result.operator, result.quota, result.plugin].every((value) => value === undefined);
  if (empty) throw new PolicyParseError(`Invalid policy: ${rules}`);
  return result;
}
