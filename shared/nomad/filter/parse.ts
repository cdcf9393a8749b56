import type peggy from 'peggy';
import { MAX_NESTING_DEPTH } from '../../util/json-depth';
import { parse } from './bexpr-parser.generated';

/**
 * Parses a go-bexpr filter expression with the parser peggy generated from grammar.ts at build
 * time (infra/bundling/bexpr-parser.ts). Syntax errors carry the position as go-bexpr's pigeon
 * parser reports it: `line:col (offset): …`.
 */
export interface Selector {
  kind: 'bexpr' | 'pointer' | 'inline';
  path: string[];
  raw?: string;
}

export type MatchOperator = '==' | '!=' | 'in' | 'not in' | 'is empty' | 'is not empty' | 'matches' | 'not matches';

export type FilterExpression =
  | { type: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { type: 'not'; operand: FilterExpression }
  | { type: 'match'; selector: Selector; operator: MatchOperator; value?: string };

export class FilterSyntaxError extends Error {}

function describe(expected: peggy.parser.Expectation[] | null): string {
  const names = new Set<string>();
  for (const expectation of expected ?? []) {
    if (expectation.type === 'literal') names.add(JSON.stringify(expectation.text));
    else if (expectation.type === 'other') names.add(expectation.description);
    else if (expectation.type === 'end') names.add('EOF');
    else if (expectation.type === 'any') names.add('any character');
    else {
      const parts = expectation.parts.map((part) => (Array.isArray(part) ? `${part[0]}-${part[1]}` : part)).join('');
      names.add(`[${expectation.inverted ? '^' : ''}${parts}]`);
    }
  }
  const sorted = [...names].sort();
  return sorted.length <= 1 ? sorted.join('') : `${sorted.slice(0, -1).join(', ')} or ${sorted[sorted.length - 1]}`;
}

/** The deepest parenthesis outside quoted values (which end at the next quote, as in the grammar): the parser recurses once per level. */
function parenthesisDepth(expression: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | undefined;
  for (const char of expression) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === '`') quote = char;
    else if (char === '(') deepest = Math.max(deepest, ++depth);
    else if (char === ')') depth--;
  }
  return deepest;
}

export function parseFilter(expression: string): FilterExpression {
  if (parenthesisDepth(expression) > MAX_NESTING_DEPTH) {
    throw new FilterSyntaxError(`expression nested deeper than ${MAX_NESTING_DEPTH} parentheses`);
  }
  try {
    return parse(expression, {}) as FilterExpression;
  } catch (error) {
    // Long chains of `and`/`not` recurse too; the stack is the bound there.
    if (error instanceof RangeError) throw new FilterSyntaxError('expression too complex');
    const failure = error as peggy.parser.SyntaxError;
    if (!failure.location) throw error;
    const { line, column, offset } = failure.location.start;
    const message = failure.expected ? `no match found, expected: ${describe(failure.expected)}` : failure.message;
    throw new FilterSyntaxError(`${line}:${column} (${offset}): ${message}`);
  }
}
