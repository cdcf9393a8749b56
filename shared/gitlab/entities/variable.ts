import type { ProjectVariableRecord } from '../records';

/** `Entities::Ci::Variable`: a hidden variable's value is never shown again. */
export function variableEntity(variable: ProjectVariableRecord) {
  return {
    variable_type: variable.variableType,
    key: variable.key,
    value: variable.hidden ? null : variable.value,
    hidden: variable.hidden,
    protected: variable.protected,
    masked: variable.masked,
    raw: variable.raw,
    environment_scope: variable.environmentScope,
    description: variable.description,
  };
}
