import { MAX_NESTING_DEPTH } from '../../../util/json-depth';
import { hclIntegerProblem } from '../field-types';
import { HclEvalError, renderValue, Unresolved } from './expressions';
import { hclTooDeep } from './nesting';
import { HclSyntaxError, parseHcl } from './syntax';
import { jobFromHcl, JobspecError } from './to-job';
import { buildContext } from './variables';

/**
 * An HCL2 jobspec to Nomad's API Job: parsed, its variables and locals evaluated, its blocks
 * mapped. Errors carry the parser's position (`input.hcl:3,5-6: …`).
 */
export class JobspecParseError extends Error {}

/** Interpolations nest inside strings, which the depth check does not look into: the stack (or a string grown past its limit) bounds those. */
const TOO_COMPLEX = 'Job spec too complex: its expressions nest too deeply or grow too large to evaluate.';

function decode(file: string, source: string): Record<string, any> {
  const tooDeep = hclTooDeep(source);
  if (tooDeep !== undefined) {
    const line = source.slice(0, tooDeep).split('\n');
    const column = line[line.length - 1].length + 1;
    throw new JobspecParseError(`${file}:${line.length},${column}-${column + 1}: Nesting too deep; blocks, collections and parentheses nest at most ${MAX_NESTING_DEPTH} levels.`);
  }
  try {
    return parseHcl(source, file);
  } catch (error) {
    if (error instanceof HclSyntaxError) throw new JobspecParseError(error.message);
    if (error instanceof RangeError) throw new JobspecParseError(TOO_COMPLEX);
    throw error;
  }
}

export function parseJobspec(source: string, variables = '', flags: Record<string, string> = {}): Record<string, any> {
  const root = decode('input.hcl', source);
  const fileValues = variables.trim() ? decode('variables.hcl', variables) : {};
  try {
    const context = buildContext(root, fileValues, flags);
    const { variable: _variables, locals: _locals, ...rest } = root;
    const job = jobFromHcl(renderValue(rest, context) as Record<string, any>);
    const integerProblem = hclIntegerProblem(job);
    if (integerProblem) throw new JobspecError(integerProblem);
    return job;
  } catch (error) {
    if (error instanceof Unresolved) throw new JobspecParseError(`Reference to undeclared local value: A local value with the name "${error.message}" has not been declared.`);
    if (error instanceof HclEvalError || error instanceof JobspecError) throw new JobspecParseError(error.message);
    if (error instanceof RangeError) throw new JobspecParseError(TOO_COMPLEX);
    throw error;
  }
}
