import type { ProjectVariableRecord } from '../records';

/**
 * GitLab's rules for CI/CD variables (`Ci::Variable`, `Ci::Maskable`, `HasEnvironmentScope`):
 * what a valid one is, and which of a project's variables a job gets.
 */
const KEY_PATTERN = /^[a-zA-Z0-9_]+$/;
const SCOPE_PATTERN = /^[a-zA-Z0-9_\-/${}. *]+$/;
/** A masked value, expanded: the Base64 alphabet plus `@:.~-`, at least 8 characters. */
const MASKABLE = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;
/** A masked raw value: any 8 or more non-space characters. */
const MASKABLE_RAW = /^\S{8,}$/;
const MAX_VALUE_LENGTH = 10_000;

export function variableErrors(variable: Pick<ProjectVariableRecord, 'key' | 'value' | 'masked' | 'raw' | 'environmentScope'>): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const add = (attribute: string, message: string) => (errors[attribute] ??= []).push(message);
  if (variable.key === '') add('key', "can't be blank");
  else {
    if (variable.key.length > 255) add('key', 'is too long (maximum is 255 characters)');
    if (!KEY_PATTERN.test(variable.key)) add('key', "can contain only letters, digits and '_'.");
  }
  if (variable.value.length > MAX_VALUE_LENGTH) add('value', `is too long (maximum is ${MAX_VALUE_LENGTH} characters)`);
  if (variable.masked && !(variable.raw ? MASKABLE_RAW : MASKABLE).test(variable.value)) add('value', 'is invalid');
  if (variable.environmentScope.length > 255) add('environment_scope', 'is too long (maximum is 255 characters)');
  if (!SCOPE_PATTERN.test(variable.environmentScope)) add('environment_scope', "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', '*' and spaces");
  return errors;
}

/** Whether `scope` (`*`, `review/*`, `production`) covers an environment name; no environment takes only `*`. */
export function scopeMatches(scope: string, environment: string | null): boolean {
  if (scope === '*') return true;
  if (environment === null) return false;
  const pattern = new RegExp(`^${scope.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return pattern.test(environment);
}

/**
 * The project variables a job gets: protected ones only on protected refs, those whose scope
 * covers the job's environment, and of one key the most specific scope (`*` loses).
 */
export function variablesForJob(variables: readonly ProjectVariableRecord[], job: { protectedRef: boolean; environment: string | null }): ProjectVariableRecord[] {
  const chosen = new Map<string, ProjectVariableRecord>();
  for (const variable of variables) {
    if (variable.protected && !job.protectedRef) continue;
    if (!scopeMatches(variable.environmentScope, job.environment)) continue;
    const current = chosen.get(variable.key);
    if (!current || (current.environmentScope === '*' && variable.environmentScope !== '*')) chosen.set(variable.key, variable);
  }
  return [...chosen.values()];
}
