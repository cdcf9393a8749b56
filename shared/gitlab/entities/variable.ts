import type { InstanceVariableRecord, ProjectVariableRecord } from '../records';

/**
 * `Entities::Ci::Variable`: a hidden variable's value is never shown again; `environment_scope`
 * only for variables that have one (instance variables have none).
 */
export function variableEntity(variable: ProjectVariableRecord | InstanceVariableRecord) {
  return {
    variable_type: variable.variableType,
    key: variable.key,
    value: variable.hidden ? null : variable.value,
    hidden: variable.hidden,
    protected: variable.protected,
    masked: variable.masked,
    raw: variable.raw,
    ...('environmentScope' in variable ? { environment_scope: variable.environmentScope } : {}),
    description: variable.description,
  };
}
