import { GitLabError, notFound, validationError } from '../errors';
import type { ProjectVariableRecord } from '../records';
import { changedVariable, checkVariable, newVariableAttributes } from './variable-attributes';
import { deleteProjectVariable, insertProjectVariable, listProjectVariables, replaceProjectVariable } from '../store/project-variables';

/** Project CI/CD variables (`lib/api/ci/variables.rb`, `Ci::ChangeVariableService`). */
export type VariableInput = Partial<Omit<ProjectVariableRecord, 'projectId' | 'createdAt' | 'key'>>;

const NOT_FOUND = () => notFound('Variable');

/** The variable of `key` (in `scope` when given); several without a scope is GitLab's 409. */
export async function findVariable(projectId: number, key: string, scope: string | undefined): Promise<ProjectVariableRecord> {
  const matching = (await listProjectVariables(projectId)).filter((variable) => variable.key === key && (scope === undefined || variable.environmentScope === scope));
  if (matching.length === 0) throw NOT_FOUND();
  if (matching.length > 1) throw new GitLabError(409, { message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'" });
  return matching[0];
}

const taken = (variable: ProjectVariableRecord) => validationError({ key: [`(${variable.key}) has already been taken`] });

export async function createVariable(projectId: number, key: string, input: VariableInput & { value: string }): Promise<ProjectVariableRecord> {
  const variable: ProjectVariableRecord = { projectId, key, ...newVariableAttributes(input), environmentScope: input.environmentScope ?? '*' };
  checkVariable(variable);
  if (!(await insertProjectVariable(variable))) throw taken(variable);
  return variable;
}

export async function changeVariable(existing: ProjectVariableRecord, input: VariableInput): Promise<ProjectVariableRecord> {
  const variable = changedVariable(existing, input);
  if (!(await replaceProjectVariable(existing, variable))) throw taken(variable);
  return variable;
}

export async function removeVariable(variable: ProjectVariableRecord): Promise<void> {
  await deleteProjectVariable(variable);
}
