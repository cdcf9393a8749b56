import picomatch from 'picomatch';
import { changesMatch } from './changes';
import { ConfigError } from './errors';
import { evaluateExpression, ExpressionError } from './expression';
import { isMap } from './load';
import type { PipelineContext } from './types';

/**
 * `rules:` and the legacy `only:`/`except:`. A rule matches when all of its clauses hold; the
 * first matching rule decides. `changes` is compared with the push's changed paths (changes.ts).
 */
export interface RuleOutcome {
  when: string | undefined;
  allowFailure: boolean | undefined;
  startIn: string | undefined;
  variables: Record<string, string>;
  needs: unknown;
}

const jobNameOf = (location: string) => location.replace(/^jobs:/, '').replace(/:(only|except)$/, '');

const RULE_KEYS = new Set(['if', 'changes', 'exists', 'when', 'allow_failure', 'variables', 'start_in', 'needs', 'interruptible']);

function existsMatches(patterns: unknown, files: string[]): boolean {
  const list = Array.isArray(patterns) ? patterns : isMap(patterns) && Array.isArray(patterns.paths) ? patterns.paths : [patterns];
  // An empty pattern names no file (GitLab's fnmatch of '' matches nothing).
  const globs = list.filter((pattern): pattern is string => typeof pattern === 'string' && pattern !== '');
  if (globs.length === 0) return false;
  const matcher = picomatch(globs, { dot: true });
  return files.some((file) => matcher(file));
}

function condition(location: string, expression: unknown, variables: Record<string, string>): boolean {
  if (typeof expression !== 'string') throw new ConfigError([`${location} if should be a string`]);
  try {
    return evaluateExpression(expression, variables);
  } catch (error) {
    if (error instanceof ExpressionError) throw new ConfigError([`${location} if invalid expression syntax`]);
    throw error;
  }
}

export function stringVariables(value: unknown, location: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMap(value)) throw new ConfigError([`${location} variables config should be a hash of key value pairs`]);
  const result: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value)) {
    const item = isMap(raw) ? raw.value : raw;
    if (item === undefined || item === null) result[key] = '';
    else if (['string', 'number', 'boolean'].includes(typeof item)) result[key] = String(item);
    else throw new ConfigError([`${location} variables config should be a hash of key value pairs, value can be a hash`]);
  }
  return result;
}

/** The first rule that matches, or `undefined` when none does. */
export function evaluateRules(location: string, rules: unknown, variables: Record<string, string>, context: PipelineContext): RuleOutcome | undefined {
  if (!Array.isArray(rules)) throw new ConfigError([`${location} rules should be an array of hashes`]);
  for (const rule of rules) {
    const ruleLocation = `${location}:rules:rule`;
    const flattened = Array.isArray(rule) ? rule : [rule];
    for (const item of flattened) {
      if (!isMap(item)) throw new ConfigError([`${location}:rules:rule config should be a hash`]);
      const unknown = Object.keys(item).filter((key) => !RULE_KEYS.has(key));
      if (unknown.length > 0) throw new ConfigError([`${ruleLocation} config contains unknown keys: ${unknown.join(', ')}`]);
      if (item.if !== undefined && !condition(ruleLocation, item.if, variables)) continue;
      if (item.changes !== undefined && !changesMatch(jobNameOf(location), ruleLocation, item.changes, variables, context.changes)) continue;
      if (item.exists !== undefined && !existsMatches(item.exists, context.files)) continue;
      return {
        when: item.when === undefined ? undefined : String(item.when),
        allowFailure: typeof item.allow_failure === 'boolean' ? item.allow_failure : undefined,
        startIn: item.start_in === undefined ? undefined : String(item.start_in),
        variables: stringVariables(item.variables, ruleLocation),
        needs: item.needs,
      };
    }
  }
  return undefined;
}

const SOURCE_KEYWORDS: Record<string, string[]> = {
  api: ['api'],
  web: ['web'],
  pipelines: ['pipeline', 'parent_pipeline'],
  triggers: ['trigger'],
  schedules: ['schedule'],
  pushes: ['push'],
  merge_requests: ['merge_request_event'],
  external: ['external'],
  chat: ['chat'],
  external_pull_requests: ['external_pull_request_event'],
};

function refMatches(pattern: unknown, context: PipelineContext): boolean {
  if (typeof pattern !== 'string') return false;
  if (pattern === 'branches') return !context.tag;
  if (pattern === 'tags') return context.tag;
  if (SOURCE_KEYWORDS[pattern]) return SOURCE_KEYWORDS[pattern].includes(context.source);
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (regex) {
    try {
      return evaluateExpression(`$REF =~ ${pattern}`, { REF: context.ref });
    } catch {
      throw new ConfigError([`invalid ref regex ${pattern}`]);
    }
  }
  return pattern === context.ref;
}

/** An `only`/`except` value as its `refs` and `variables` (a string or a list names refs). */
function policySpec(location: string, policy: unknown): { refs: unknown[] | undefined; expressions: unknown[] | undefined; changes: unknown } {
  const spec = Array.isArray(policy) || typeof policy === 'string' ? { refs: Array.isArray(policy) ? policy : [policy] } : policy;
  if (!isMap(spec)) throw new ConfigError([`${location} config should be an array of strings or a hash`]);
  return { refs: spec.refs as unknown[] | undefined, expressions: spec.variables as unknown[] | undefined, changes: spec.changes };
}

/** `kubernetes: active` asks for a cluster integration, which no project has here. */
function kubernetesActive(policy: unknown): boolean {
  return isMap(policy) && policy.kubernetes === 'active';
}

function policyMatches(location: string, policy: unknown, variables: Record<string, string>, context: PipelineContext): boolean {
  const { refs, expressions, changes } = policySpec(location, policy);
  if (kubernetesActive(policy)) return false;
  if (refs !== undefined && !refs.some((ref) => refMatches(ref, context))) return false;
  if (expressions !== undefined && !expressions.some((expression) => condition(location, expression, variables))) return false;
  if (changes !== undefined && !changesMatch(jobNameOf(location), location, changes, variables, context.changes)) return false;
  return true;
}

/** `only`/`except` (only defaults to branches and tags). */
export function onlyExceptAllow(location: string, only: unknown, except: unknown, variables: Record<string, string>, context: PipelineContext): boolean {
  const included = policyMatches(`${location}:only`, only ?? ['branches', 'tags'], variables, context);
  if (!included) return false;
  if (except === undefined) return true;
  const { refs, expressions, changes } = policySpec(`${location}:except`, except);
  const refHit = refs !== undefined && refs.some((ref) => refMatches(ref, context));
  const variableHit = expressions !== undefined && expressions.some((expression) => condition(`${location}:except`, expression, variables));
  const changesHit = changes !== undefined && changesMatch(jobNameOf(location), `${location}:except`, changes, variables, context.changes);
  return !(refHit || variableHit || changesHit);
}
