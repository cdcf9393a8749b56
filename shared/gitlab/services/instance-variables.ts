import { notFound, validationError } from '../errors';
import type { InstanceVariableRecord } from '../records';
import { changedVariable, checkVariable, newVariableAttributes } from './variable-attributes';
import { deleteInstanceVariable, listInstanceVariables, putInstanceVariable } from '../store/instance-variables';

/** Instance CI/CD variables (`lib/api/admin/ci/variables.rb`): administrators only, one per key. */
export type InstanceVariableInput = Partial<Omit<InstanceVariableRecord, 'createdAt' | 'key'>>;

export async function findInstanceVariable(key: string): Promise<InstanceVariableRecord> {
  const variable = (await listInstanceVariables()).find((candidate) => candidate.key === key);
  if (!variable) throw notFound('Variable');
  return variable;
}

export async function createInstanceVariable(key: string, input: InstanceVariableInput & { value: string }): Promise<InstanceVariableRecord> {
  const variable: InstanceVariableRecord = { key, ...newVariableAttributes(input) };
  checkVariable(variable);
  if (!(await putInstanceVariable(variable, { mustBeNew: true }))) throw validationError({ key: [`(${key}) has already been taken`] });
  return variable;
}

export async function changeInstanceVariable(existing: InstanceVariableRecord, input: InstanceVariableInput): Promise<InstanceVariableRecord> {
  const variable = changedVariable(existing, input);
  if (!(await putInstanceVariable(variable, { mustBeNew: false }))) throw notFound('Variable');
  return variable;
}

export async function removeInstanceVariable(variable: InstanceVariableRecord): Promise<void> {
  await deleteInstanceVariable(variable.key);
}
