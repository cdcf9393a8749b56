import { notFound, validationError } from '../errors';
import type { InstanceVariableRecord } from '../records';
import { variableErrors } from '../state/ci-variables';
import { deleteInstanceVariable, listInstanceVariables, putInstanceVariable } from '../store/instance-variables';

/** Instance CI/CD variables (`lib/api/admin/ci/variables.rb`): administrators only, one per key. */
export type InstanceVariableInput = Partial<Omit<InstanceVariableRecord, 'createdAt' | 'key'>>;

export async function findInstanceVariable(key: string): Promise<InstanceVariableRecord> {
  const variable = (await listInstanceVariables()).find((candidate) => candidate.key === key);
  if (!variable) throw notFound('Variable');
  return variable;
}

function check(variable: InstanceVariableRecord): void {
  const errors = variableErrors({ ...variable, environmentScope: '*' });
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

export async function createInstanceVariable(key: string, input: InstanceVariableInput & { value: string }): Promise<InstanceVariableRecord> {
  const variable: InstanceVariableRecord = {
    key,
    value: input.value,
    variableType: input.variableType ?? 'env_var',
    protected: input.protected ?? false,
    masked: input.masked ?? false,
    hidden: input.hidden ?? false,
    raw: input.raw ?? false,
    description: input.description ?? null,
    createdAt: Date.now(),
  };
  check(variable);
  if (!(await putInstanceVariable(variable, { mustBeNew: true }))) throw validationError({ key: [`(${key}) has already been taken`] });
  return variable;
}

export async function changeInstanceVariable(existing: InstanceVariableRecord, input: InstanceVariableInput): Promise<InstanceVariableRecord> {
  const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const variable: InstanceVariableRecord = { ...existing, ...changes };
  if (existing.hidden && !variable.masked) throw validationError({ base: ['Only masked variables can be hidden'] });
  check(variable);
  if (!(await putInstanceVariable(variable, { mustBeNew: false }))) throw notFound('Variable');
  return variable;
}

export async function removeInstanceVariable(variable: InstanceVariableRecord): Promise<void> {
  await deleteInstanceVariable(variable.key);
}
