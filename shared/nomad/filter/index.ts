import { CompiledFilter } from './evaluate';
import { parseFilter } from './parse';

/** A go-bexpr `filter`, compiled once per request and matched against each object. */
export function compileFilter(expression: string): CompiledFilter {
  return new CompiledFilter(parseFilter(expression));
}

export { CompiledFilter, FilterEvaluationError } from './evaluate';
export { FilterSyntaxError } from './parse';
