import { validationError } from '../errors';
import type { InstanceVariableRecord } from '../records';
import { variableErrors } from '../state/ci-variables';

/**
 * What project and instance CI/CD variables share (`Ci::HasVariable`): the attributes a new one
 * takes by default, the checks, and how a change applies (hiding cannot be undone, and a hidden
 * variable stays masked).
 */
type VariableAttributes = Omit<InstanceVariableRecord, 'key' | 'createdAt'>;

export function newVariableAttributes(input: Partial<VariableAttributes> & { value: string }): VariableAttributes & { createdAt: number } {
  return {
    value: input.value,
    variableType: input.variableType ?? 'env_var',
    protected: input.protected ?? false,
    masked: input.masked ?? false,
    hidden: input.hidden ?? false,
    raw: input.raw ?? false,
    description: input.description ?? null,
    createdAt: Date.now(),
  };
}

export function checkVariable(variable: InstanceVariableRecord & { environmentScope?: string }): void {
  const errors = variableErrors({ ...variable, environmentScope: variable.environmentScope ?? '*' });
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

/** `existing` with the attributes `input` gives, checked. */
export function changedVariable<T extends InstanceVariableRecord>(existing: T, input: Partial<NoInfer<T>>): T {
  const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const variable: T = { ...existing, ...changes };
  if (existing.hidden && !variable.masked) throw validationError({ base: ['Only masked variables can be hidden'] });
  checkVariable(variable);
  return variable;
}
