import { HclEvalError, renderValue, Unresolved, type EvalContext, type HclValue } from './expressions';

/**
 * The evaluation context of a jobspec: `variable` blocks with their defaults, overridden by the
 * var-file content (`Variables`) and the `-var` flags (`VariableFlags`), then `locals`, which
 * may refer to variables and to each other in any order. Pure.
 */
type Loose = Record<string, any>;

function declarations(value: unknown): Record<string, Loose> {
  const result: Record<string, Loose> = {};
  for (const group of Array.isArray(value) ? value : value ? [value] : []) {
    for (const [name, bodies] of Object.entries(group as Loose)) result[name] = (Array.isArray(bodies) ? bodies[0] : bodies) ?? {};
  }
  return result;
}

/** A `-var` flag's string, as the variable's declared type wants it. */
function fromFlag(text: string, type: unknown): HclValue {
  const declared = typeof type === 'string' ? type.replace(/^\$\{(.*)\}$/, '$1') : '';
  if (declared === 'number' && text.trim() !== '' && !Number.isNaN(Number(text))) return Number(text);
  if (declared === 'bool' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

export function buildContext(decoded: Loose, fileValues: Loose, flags: Record<string, string>): EvalContext {
  const context: EvalContext = { var: {}, local: {} };
  const declared = declarations(decoded.variable);
  for (const name of [...Object.keys(fileValues), ...Object.keys(flags)]) {
    if (!(name in declared)) throw new HclEvalError(`Undefined variable: A "${name}" variable was passed in but has not been declared in the job specification.`);
  }
  for (const [name, body] of Object.entries(declared)) {
    if (name in flags) context.var[name] = fromFlag(flags[name], body.type);
    else if (name in fileValues) context.var[name] = renderValue(fileValues[name], context);
    else if ('default' in body) context.var[name] = renderValue(body.default, context);
    else {
      throw new HclEvalError(
        `Unset variable "${name}": A used variable must be set or have a default value; see https://developer.hashicorp.com/nomad/docs/job-specification/hcl2/variables for details.`,
      );
    }
  }
  const pending = Object.entries(Object.assign({}, ...(Array.isArray(decoded.locals) ? decoded.locals : decoded.locals ? [decoded.locals] : [])) as Loose);
  while (pending.length > 0) {
    const before = pending.length;
    for (let i = 0; i < pending.length; ) {
      try {
        context.local[pending[i][0]] = renderValue(pending[i][1], context);
        pending.splice(i, 1);
      } catch (error) {
        if (!(error instanceof Unresolved)) throw error;
        i++;
      }
    }
    if (pending.length === before) {
      throw new HclEvalError(`Unknown local value: cannot resolve local.${pending[0][0]} (missing or circular reference).`);
    }
  }
  return context;
}
