import type { JobVariable } from '../../shared/gitlab/entities/runner-protocol';

/** A job's variable, or one the runner adds itself (`CI_PROJECT_DIR`…). */
export type RunnerVariable = Pick<JobVariable, 'key' | 'value'> & Partial<Pick<JobVariable, 'file' | 'raw'>>;

/**
 * Variable references inside variable values, expanded as gitlab-runner does before a job runs
 * (one level, against the job's own variables): `$NAME` and `${NAME}` are replaced, `$$` is a
 * literal `$`, unknown names become empty, and `raw` variables are left as written.
 */
export function expandVariables(variables: RunnerVariable[]): RunnerVariable[] {
  const values = new Map(variables.map((variable) => [variable.key, variable.value]));
  const expand = (text: string) =>
    text.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_, whole: string, braced?: string, bare?: string) =>
      whole === '$' ? '$' : (values.get((braced ?? bare)!) ?? ''),
    );
  return variables.map((variable) => (variable.raw || variable.file ? variable : { ...variable, value: expand(variable.value) }));
}
