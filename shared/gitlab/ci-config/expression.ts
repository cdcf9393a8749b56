import { RE2JS } from 're2js';

/**
 * GitLab's CI/CD variable expressions (`rules:if`, `only:variables`): `$VAR`, quoted strings,
 * `/patterns/` (RE2, as GitLab matches them), `null`, `==` `!=` `=~` `!~`, `&&` (binds tighter)
 * `||` and parentheses. Written by hand because the grammar is GitLab's own; it is small.
 */
type Token =
  | { kind: 'variable'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'pattern'; source: string; flags: string }
  | { kind: 'null' }
  | { kind: 'operator'; value: '==' | '!=' | '=~' | '!~' | '&&' | '||' }
  | { kind: 'open' }
  | { kind: 'close' };

type Value = string | null | { pattern: string; flags: string } | boolean;

export class ExpressionError extends Error {}

/** GitLab's lexer reads at most 100 tokens; longer expressions are invalid (which also bounds nesting). */
const MAX_TOKENS = 100;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    if (tokens.length === MAX_TOKENS) throw new ExpressionError('invalid expression syntax');
    const variable = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(rest);
    const string = /^"((?:[^"\\]|\\.)*)"|^'((?:[^'\\]|\\.)*)'/.exec(rest);
    const pattern = /^\/((?:[^/\\]|\\.)*)\/([imsx]*)/.exec(rest);
    const operator = /^(==|!=|=~|!~|&&|\|\|)/.exec(rest);
    if (variable) {
      tokens.push({ kind: 'variable', name: variable[1] ?? variable[2] });
      i += variable[0].length;
    } else if (string) {
      tokens.push({ kind: 'string', value: string[1] ?? string[2] });
      i += string[0].length;
    } else if (pattern) {
      tokens.push({ kind: 'pattern', source: pattern[1], flags: pattern[2] });
      i += pattern[0].length;
    } else if (operator) {
      tokens.push({ kind: 'operator', value: operator[1] as '==' });
      i += operator[0].length;
    } else if (/^null\b/.test(rest)) {
      tokens.push({ kind: 'null' });
      i += 4;
    } else if (rest[0] === '(') {
      tokens.push({ kind: 'open' });
      i += 1;
    } else if (rest[0] === ')') {
      tokens.push({ kind: 'close' });
      i += 1;
    } else {
      throw new ExpressionError(`invalid expression syntax`);
    }
  }
  return tokens;
}

function regexOf(value: Value): RE2JS {
  let source: string;
  let flags = '';
  if (typeof value === 'object' && value !== null) {
    ({ pattern: source, flags } = value);
  } else if (typeof value === 'string' && /^\/.*\/[imsx]*$/s.test(value)) {
    const end = value.lastIndexOf('/');
    source = value.slice(1, end);
    flags = value.slice(end + 1);
  } else {
    throw new ExpressionError('invalid expression syntax');
  }
  let mask = 0;
  if (flags.includes('i')) mask |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) mask |= RE2JS.MULTILINE;
  if (flags.includes('s')) mask |= RE2JS.DOTALL;
  try {
    return RE2JS.compile(source, mask);
  } catch {
    throw new ExpressionError('invalid expression syntax');
  }
}

function truthy(value: Value): boolean {
  return value !== null && value !== false && value !== '';
}

/** Evaluates `expression` against `variables`; throws ExpressionError on bad syntax. */
export function evaluateExpression(expression: string, variables: Record<string, string>): boolean {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = () => tokens[position];

  function operand(): Value {
    const token = tokens[position++];
    if (!token) throw new ExpressionError('invalid expression syntax');
    switch (token.kind) {
      case 'variable':
        return Object.prototype.hasOwnProperty.call(variables, token.name) ? variables[token.name] : null;
      case 'string':
        return token.value;
      case 'pattern':
        return { pattern: token.source, flags: token.flags };
      case 'null':
        return null;
      case 'open': {
        const value = or();
        if (tokens[position++]?.kind !== 'close') throw new ExpressionError('invalid expression syntax');
        return value;
      }
      default:
        throw new ExpressionError('invalid expression syntax');
    }
  }

  function comparison(): Value {
    const left = operand();
    const next = peek();
    if (next?.kind !== 'operator' || next.value === '&&' || next.value === '||') return left;
    position++;
    const right = operand();
    const text = (value: Value) => (typeof value === 'string' ? value : value === null ? null : JSON.stringify(value));
    switch (next.value) {
      case '==':
        return text(left) === text(right);
      case '!=':
        return text(left) !== text(right);
      case '=~':
        return typeof left === 'string' && regexOf(right).test(left);
      case '!~':
        return !(typeof left === 'string' && regexOf(right).test(left));
    }
    return false;
  }

  /** A chain of `operator` over the level below it; both sides are always evaluated. */
  function chain(operator: '&&' | '||', next: () => Value): Value {
    let value = next();
    while (peek()?.kind === 'operator' && (peek() as { value: string }).value === operator) {
      position++;
      const right = next();
      value = operator === '&&' ? truthy(value) && truthy(right) : truthy(value) || truthy(right);
    }
    return value;
  }

  const and = () => chain('&&', comparison);
  const or = (): Value => chain('||', and);

  const result = or();
  if (position !== tokens.length) throw new ExpressionError('invalid expression syntax');
  return truthy(result);
}
