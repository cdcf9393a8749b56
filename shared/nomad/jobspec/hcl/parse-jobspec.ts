import { HclEvalError, renderValue, Unresolved } from './expressions';
import { HclSyntaxError, parseHcl } from './syntax';
import { jobFromHcl, JobspecError } from './to-job';
import { buildContext } from './variables';

/**
 * An HCL2 jobspec to Nomad's API Job: parsed, its variables and locals evaluated, its blocks
 * mapped. Errors carry the parser's position (`input.hcl:3,5-6: …`).
 */
export class JobspecParseError extends Error {}

function decode(file: string, source: string): Record<string, any> {
  try {
    return parseHcl(source, file);
  } catch (error) {
    if (error instanceof HclSyntaxError) throw new JobspecParseError(error.message);
    throw error;
  }
}

export function parseJobspec(source: string, variables = '', flags: Record<string, string> = {}): Record<string, any> {
  const root = decode('input.hcl', source);
  const fileValues = variables.trim() ? decode('variables.hcl', variables) : {};
  try {
    const context = buildContext(root, fileValues, flags);
    const { variable: _variables, locals: _locals, ...rest } = root;
    return jobFromHcl(renderValue(rest, context) as Record<string, any>);
  } catch (error) {
    if (error instanceof Unresolved) throw new JobspecParseError(`Reference to undeclared local value: A local value with the name "${error.message}" has not been declared.`);
    if (error instanceof HclEvalError || error instanceof JobspecError) throw new JobspecParseError(error.message);
    throw error;
  }
}
