import { parse as parseHcl } from '@cdktf/hcl2json';
import { HclEvalError, renderValue, Unresolved } from './expressions';
import { jobFromHcl, JobspecError } from './to-job';
import { buildContext } from './variables';

/**
 * An HCL2 jobspec to Nomad's API Job: parsed by hcl2json (HashiCorp's HCL parser compiled to
 * WebAssembly), its variables and locals evaluated, its blocks mapped. Errors carry the
 * parser's position (`input.hcl:3,5-6: …`).
 */
export class JobspecParseError extends Error {}

function parserMessage(error: unknown, file: string): string {
  const text = (error as Error).message ?? String(error);
  return text.replace(/^parse config: \[/, '').replace(/\]$/, '').replaceAll(`${file}:`, 'input.hcl:');
}

async function decode(file: string, source: string): Promise<Record<string, any>> {
  try {
    return (await parseHcl(file, source)) as Record<string, any>;
  } catch (error) {
    throw new JobspecParseError(parserMessage(error, file));
  }
}

export async function parseJobspec(source: string, variables = '', flags: Record<string, string> = {}): Promise<Record<string, any>> {
  const [root, fileValues] = await Promise.all([decode('input.hcl', source), variables.trim() ? decode('variables.hcl', variables) : Promise.resolve({})]);
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
