/**
 * The HCL expressions a jobspec uses, evaluated against its variables and locals.
 *
 * The syntax reader (syntax.ts) hands every non-literal expression on as text: `"${var.x}"` for an
 * expression, `"web-${var.dc}"` for a template. This module parses that text (literals,
 * `var.`/`local.` references with attribute and index access, arithmetic, comparison, logic,
 * conditionals, tuples, objects and the common functions) and evaluates it. As in Nomad, an
 * interpolation that refers to anything else — `${attr.kernel.name}`, `${NOMAD_ALLOC_DIR}`,
 * `${meta.rack}` — is a runtime interpolation and is kept as written. Pure.
 */
export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue };

export interface EvalContext {
  var: Record<string, HclValue>;
  local: Record<string, HclValue>;
}

export class HclEvalError extends Error {}

/** Evaluation needs something the context does not have yet (a local defined later). */
export class Unresolved extends Error {}

/** The interpolation refers to a runtime variable: keep the text. */
class RuntimeReference extends Error {}

export type Node =
  | { kind: 'literal'; value: HclValue }
  | { kind: 'template'; source: string }
  | { kind: 'ref'; root: string; path: (string | Node)[] }
  | { kind: 'unary'; op: string; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'conditional'; test: Node; then: Node; otherwise: Node }
  | { kind: 'call'; name: string; args: Node[]; expand: boolean }
  | { kind: 'tuple'; items: Node[]; sources: string[] }
  | { kind: 'object'; entries: [Node, Node][]; sources: string[] }
  | { kind: 'index'; target: Node; key: Node | string };

const PRECEDENCE: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): Node {
    const node = this.expression(0);
    this.space();
    if (this.pos < this.text.length) throw new HclEvalError(`Extra characters after expression: "${this.text.slice(this.pos)}"`);
    return node;
  }

  /** Whitespace, newlines and comments, all insignificant inside an expression. */
  private space(): void {
    for (;;) {
      while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
      if (this.text.startsWith('#', this.pos) || this.text.startsWith('//', this.pos)) {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end < 0 ? this.text.length : end;
      } else if (this.text.startsWith('/*', this.pos)) {
        const end = this.text.indexOf('*/', this.pos + 2);
        this.pos = end < 0 ? this.text.length : end + 2;
      } else return;
    }
  }

  private peek(token: string): boolean {
    this.space();
    return this.text.startsWith(token, this.pos);
  }

  private eat(token: string): boolean {
    if (!this.peek(token)) return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.eat(token)) throw new HclEvalError(`Expected "${token}" at "${this.text.slice(this.pos) || 'end of expression'}"`);
  }

  private expression(minPrecedence: number): Node {
    let left = this.unary();
    for (;;) {
      this.space();
      const op = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%'].find((candidate) => this.text.startsWith(candidate, this.pos));
      if (!op || PRECEDENCE[op] < minPrecedence) break;
      this.pos += op.length;
      const right = this.expression(PRECEDENCE[op] + 1);
      left = { kind: 'binary', op, left, right };
    }
    if (minPrecedence === 0 && this.eat('?')) {
      const then = this.expression(0);
      this.expect(':');
      const otherwise = this.expression(0);
      return { kind: 'conditional', test: left, then, otherwise };
    }
    return left;
  }

  private unary(): Node {
    if (this.eat('!')) return { kind: 'unary', op: '!', operand: this.unary() };
    if (this.peek('-') && !/\d/.test(this.text[this.pos + 1] ?? '')) {
      this.pos++;
      return { kind: 'unary', op: '-', operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.peek('.') && !this.peek('...')) {
        this.pos++;
        const name = this.identifier() ?? this.digits();
        if (name === undefined) throw new HclEvalError('Invalid attribute name');
        node = node.kind === 'ref' ? { ...node, path: [...node.path, name] } : { kind: 'index', target: node, key: name };
      } else if (this.eat('[')) {
        const key = this.expression(0);
        this.expect(']');
        node = node.kind === 'ref' ? { ...node, path: [...node.path, key] } : { kind: 'index', target: node, key };
      } else return node;
    }
  }

  private identifier(): string | undefined {
    this.space();
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.pos));
    if (!match) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  private digits(): string | undefined {
    const match = /^\d+/.exec(this.text.slice(this.pos));
    if (!match) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  private primary(): Node {
    this.space();
    const rest = this.text.slice(this.pos);
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    if (rest.startsWith('"')) return { kind: 'template', source: this.quoted() };
    if (this.eat('(')) {
      const inner = this.expression(0);
      this.expect(')');
      return inner;
    }
    if (this.eat('[')) {
      const items: Node[] = [];
      const sources: string[] = [];
      while (!this.eat(']')) {
        this.space();
        const start = this.pos;
        items.push(this.expression(0));
        sources.push(this.text.slice(start, this.pos).trim());
        if (!this.eat(',') && !this.peek(']')) throw new HclEvalError('Missing item separator in tuple');
      }
      return { kind: 'tuple', items, sources };
    }
    if (this.eat('{')) {
      const entries: [Node, Node][] = [];
      const sources: string[] = [];
      while (!this.eat('}')) {
        const keyName = this.peek('"') ? undefined : this.identifier();
        const key: Node = keyName !== undefined ? { kind: 'literal', value: keyName } : this.primary();
        if (!this.eat('=') && !this.eat(':')) throw new HclEvalError('Missing key/value separator in object');
        this.space();
        const start = this.pos;
        entries.push([key, this.expression(0)]);
        sources.push(this.text.slice(start, this.pos).trim());
        this.eat(',');
      }
      return { kind: 'object', entries, sources };
    }
    const name = this.identifier();
    if (name === undefined) throw new HclEvalError(`Invalid expression at "${rest || 'end of expression'}"`);
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'null') return { kind: 'literal', value: null };
    if (this.eat('(')) {
      const args: Node[] = [];
      let expand = false;
      while (!this.eat(')')) {
        args.push(this.expression(0));
        if (this.eat('...')) expand = true;
        if (!this.eat(',') && !this.peek(')')) throw new HclEvalError(`Missing argument separator in call to ${name}`);
      }
      return { kind: 'call', name, args, expand };
    }
    return { kind: 'ref', root: name, path: [] };
  }

  /** A quoted string, returned as its template source (escapes still in place). */
  private quoted(): string {
    const start = ++this.pos;
    let depth = 0;
    while (this.pos < this.text.length) {
      const char = this.text[this.pos];
      if (char === '\\') this.pos += 2;
      else if (depth === 0 && char === '"') break;
      else {
        if (this.text.startsWith('${', this.pos)) {
          depth++;
          this.pos += 2;
          continue;
        }
        if (char === '}' && depth > 0) depth--;
        this.pos++;
      }
    }
    if (this.pos >= this.text.length) throw new HclEvalError('Unterminated template string');
    return this.text.slice(start, this.pos++);
  }
}

function typeName(value: HclValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'tuple';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

function toText(value: HclValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new HclEvalError(`Invalid template interpolation value: Cannot include a ${typeName(value)} value in a string template.`);
}

function toNumber(value: HclValue): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || Number.isNaN(number)) throw new HclEvalError(`Unsuitable value type: a number is required, not ${typeName(value)}`);
  return number;
}

function toBool(value: HclValue): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  if (typeof value !== 'boolean') throw new HclEvalError(`Unsuitable value type: a bool is required, not ${typeName(value)}`);
  return value;
}

function list(value: HclValue, fn: string): HclValue[] {
  if (!Array.isArray(value)) throw new HclEvalError(`Invalid function argument: ${fn} needs a list, not ${typeName(value)}`);
  return value;
}

function object(value: HclValue, fn: string): Record<string, HclValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HclEvalError(`Invalid function argument: ${fn} needs a map, not ${typeName(value)}`);
  return value;
}

/** Go's fmt verbs as HCL's format() takes them. */
function format(spec: string, args: HclValue[]): string {
  let next = 0;
  return spec.replace(/%([-+#0 ]*\d*(?:\.\d+)?)([%vsdfqtb])/g, (whole, flags: string, verb: string) => {
    if (verb === '%') return '%';
    const value = args[next++];
    if (value === undefined) throw new HclEvalError(`Error in function call: not enough arguments for "${whole}"`);
    if (verb === 'd') return String(Math.trunc(toNumber(value)));
    if (verb === 'f') return toNumber(value).toFixed(/\.(\d+)/.exec(flags)?.[1] ? Number(/\.(\d+)/.exec(flags)![1]) : 6);
    if (verb === 'q') return JSON.stringify(toText(value));
    if (verb === 't') return String(toBool(value));
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : toText(value);
  });
}

const FUNCTIONS: Record<string, (...args: HclValue[]) => HclValue> = {
  upper: (s) => toText(s).toUpperCase(),
  lower: (s) => toText(s).toLowerCase(),
  title: (s) => toText(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  trimspace: (s) => toText(s).trim(),
  trim: (s, chars) => toText(s).replace(new RegExp(`^[${escapeClass(toText(chars))}]+|[${escapeClass(toText(chars))}]+$`, 'g'), ''),
  trimprefix: (s, prefix) => (toText(s).startsWith(toText(prefix)) ? toText(s).slice(toText(prefix).length) : toText(s)),
  trimsuffix: (s, suffix) => (toText(s).endsWith(toText(suffix)) ? toText(s).slice(0, -toText(suffix).length) : toText(s)),
  format: (spec, ...args) => format(toText(spec), args),
  join: (separator, ...lists) => lists.flatMap((item) => list(item, 'join')).map(toText).join(toText(separator)),
  split: (separator, s) => toText(s).split(toText(separator)),
  replace: (s, search, replacement) => {
    const pattern = toText(search);
    if (pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/')) return toText(s).replace(new RegExp(pattern.slice(1, -1), 'g'), toText(replacement));
    return toText(s).split(pattern).join(toText(replacement));
  },
  substr: (s, offset, length) => {
    const text = [...toText(s)];
    const start = toNumber(offset) < 0 ? text.length + toNumber(offset) : toNumber(offset);
    return text.slice(start, toNumber(length) < 0 ? undefined : start + toNumber(length)).join('');
  },
  strlen: (s) => [...toText(s)].length,
  length: (value) => (typeof value === 'string' ? [...value].length : Array.isArray(value) ? value.length : Object.keys(object(value, 'length')).length),
  concat: (...lists) => lists.flatMap((item) => list(item, 'concat')),
  contains: (items, value) => list(items, 'contains').some((item) => JSON.stringify(item) === JSON.stringify(value)),
  element: (items, index) => {
    const values = list(items, 'element');
    if (values.length === 0) throw new HclEvalError('Error in function call: cannot use element function with an empty list');
    return values[((toNumber(index) % values.length) + values.length) % values.length];
  },
  index: (items, value) => {
    const found = list(items, 'index').findIndex((item) => JSON.stringify(item) === JSON.stringify(value));
    if (found < 0) throw new HclEvalError('Error in function call: item not found');
    return found;
  },
  keys: (map) => Object.keys(object(map, 'keys')).sort(),
  values: (map) => Object.keys(object(map, 'values')).sort().map((key) => object(map, 'values')[key]),
  lookup: (map, key, fallback) => {
    const entries = object(map, 'lookup');
    if (toText(key) in entries) return entries[toText(key)];
    if (fallback === undefined) throw new HclEvalError(`Error in function call: the given key "${toText(key)}" does not exist in the map`);
    return fallback;
  },
  merge: (...maps) => Object.assign({}, ...maps.filter((map) => map !== null).map((map) => object(map, 'merge'))),
  coalesce: (...values) => values.find((value) => value !== null && value !== '') ?? null,
  compact: (items) => list(items, 'compact').filter((item) => item !== null && item !== ''),
  distinct: (items) => list(items, 'distinct').filter((item, i, all) => all.findIndex((other) => JSON.stringify(other) === JSON.stringify(item)) === i),
  flatten: (items) => list(items, 'flatten').flatMap((item) => (Array.isArray(item) ? item : [item])),
  reverse: (items) => [...list(items, 'reverse')].reverse(),
  sort: (items) => list(items, 'sort').map(toText).sort(),
  range: (...bounds) => {
    const numbers = bounds.map(toNumber);
    const [start, end, step] = numbers.length === 1 ? [0, numbers[0], 1] : [numbers[0], numbers[1], numbers[2] ?? 1];
    const result: number[] = [];
    for (let value = start; step > 0 ? value < end : value > end; value += step) result.push(value);
    return result;
  },
  max: (...numbers) => Math.max(...numbers.map(toNumber)),
  min: (...numbers) => Math.min(...numbers.map(toNumber)),
  abs: (n) => Math.abs(toNumber(n)),
  ceil: (n) => Math.ceil(toNumber(n)),
  floor: (n) => Math.floor(toNumber(n)),
  tostring: (value) => (value === null ? null : toText(value)),
  tonumber: (value) => (value === null ? null : toNumber(value)),
  tobool: (value) => (value === null ? null : toBool(value)),
  tolist: (items) => list(items, 'tolist'),
  toset: (items) => FUNCTIONS.distinct(items),
  tomap: (map) => object(map, 'tomap'),
  jsonencode: (value) => JSON.stringify(value),
  jsondecode: (text) => JSON.parse(toText(text)) as HclValue,
  base64encode: (text) => Buffer.from(toText(text)).toString('base64'),
  base64decode: (text) => Buffer.from(toText(text), 'base64').toString(),
  urlencode: (text) => encodeURIComponent(toText(text)),
  regex_replace: (s, pattern, replacement) => toText(s).replace(new RegExp(toText(pattern), 'g'), toText(replacement).replace(/\$\{?(\d+)\}?/g, '$$$1')),
};

function escapeClass(chars: string): string {
  return chars.replace(/[\]\\^-]/g, '\\$&');
}

const UNESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

class Evaluator {
  constructor(private readonly context: EvalContext) {}

  evaluate(node: Node): HclValue {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'template':
        return renderTemplate(node.source.replace(/\\([nrt"\\])/g, (_, c: string) => UNESCAPES[c]).replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), this.context, true);
      case 'ref':
        return this.reference(node);
      case 'unary': {
        const value = this.evaluate(node.operand);
        return node.op === '!' ? !toBool(value) : -toNumber(value);
      }
      case 'binary':
        return this.binary(node.op, node.left, node.right);
      case 'conditional':
        return toBool(this.evaluate(node.test)) ? this.evaluate(node.then) : this.evaluate(node.otherwise);
      case 'tuple':
        return node.items.map((item) => this.evaluate(item));
      case 'object':
        return Object.fromEntries(node.entries.map(([key, value]) => [toText(this.evaluate(key)), this.evaluate(value)]));
      case 'index':
        return this.index(this.evaluate(node.target), typeof node.key === 'string' ? node.key : this.evaluate(node.key));
      case 'call': {
        const fn = FUNCTIONS[node.name];
        if (!fn) throw new HclEvalError(`Call to unknown function: There is no function named "${node.name}".`);
        let args = node.args.map((arg) => this.evaluate(arg));
        if (node.expand) args = [...args.slice(0, -1), ...list(args[args.length - 1], node.name)];
        try {
          return fn(...args);
        } catch (error) {
          if (error instanceof HclEvalError) throw error;
          throw new HclEvalError(`Error in function call: Call to function "${node.name}" failed: ${(error as Error).message}.`);
        }
      }
    }
  }

  private reference(node: Extract<Node, { kind: 'ref' }>): HclValue {
    if (node.root !== 'var' && node.root !== 'local') throw new RuntimeReference(node.root);
    const [first, ...rest] = node.path;
    const name = typeof first === 'string' ? first : first && toText(this.evaluate(first));
    if (name === undefined) throw new HclEvalError(`Invalid reference: A reference to "${node.root}" must be followed by a name.`);
    const scope = this.context[node.root];
    if (!(name in scope)) {
      if (node.root === 'local') throw new Unresolved(name);
      throw new HclEvalError(`Reference to undeclared input variable: An input variable with the name "${name}" has not been declared.`);
    }
    return rest.reduce<HclValue>((value, key) => this.index(value, typeof key === 'string' ? key : this.evaluate(key)), scope[name]);
  }

  private index(value: HclValue, key: HclValue): HclValue {
    if (Array.isArray(value)) {
      const position = toNumber(key);
      if (position < 0 || position >= value.length) throw new HclEvalError(`Invalid index: The given key does not identify an element in this collection value.`);
      return value[position];
    }
    if (value !== null && typeof value === 'object' && toText(key) in value) return value[toText(key)];
    throw new HclEvalError(`Unsupported attribute: This value does not have an attribute named "${toText(key)}".`);
  }

  private binary(op: string, leftNode: Node, rightNode: Node): HclValue {
    if (op === '&&') return toBool(this.evaluate(leftNode)) && toBool(this.evaluate(rightNode));
    if (op === '||') return toBool(this.evaluate(leftNode)) || toBool(this.evaluate(rightNode));
    const left = this.evaluate(leftNode);
    const right = this.evaluate(rightNode);
    switch (op) {
      case '==':
        return JSON.stringify(left) === JSON.stringify(right);
      case '!=':
        return JSON.stringify(left) !== JSON.stringify(right);
      case '<':
        return toNumber(left) < toNumber(right);
      case '<=':
        return toNumber(left) <= toNumber(right);
      case '>':
        return toNumber(left) > toNumber(right);
      case '>=':
        return toNumber(left) >= toNumber(right);
      case '+':
        return toNumber(left) + toNumber(right);
      case '-':
        return toNumber(left) - toNumber(right);
      case '*':
        return toNumber(left) * toNumber(right);
      case '/':
        if (toNumber(right) === 0) throw new HclEvalError('Error in function call: divide by zero');
        return toNumber(left) / toNumber(right);
      default:
        return toNumber(left) % toNumber(right);
    }
  }
}

/** The end of the `${…}` starting at `start` (the index after `${`), skipping nested braces and strings. */
function interpolationEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (char === '{') depth++;
    else if (char === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new HclEvalError(`Unterminated template interpolation in "${text}"`);
}

export function parseExpression(source: string): Node {
  return new Parser(source).parse();
}

export function evaluateExpression(source: string, context: EvalContext): HclValue {
  return new Evaluator(context).evaluate(new Parser(source).parse());
}

/**
 * A string as the syntax reader gives it: plain text, one `${expr}` (whose value keeps its type), or a
 * template mixing both. `%{…}` directives are not supported and are kept as text. `inner` marks
 * templates inside an expression, where a runtime reference cannot be kept.
 */
export function renderTemplate(text: string, context: EvalContext, inner = false): HclValue {
  if (!text.includes('${')) return text;
  const parts: HclValue[] = [];
  let literal = '';
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf('${', position);
    if (open < 0 || (open > 0 && text[open - 1] === '$')) {
      if (open < 0) {
        literal += text.slice(position);
        break;
      }
      literal += text.slice(position, open - 1) + '${';
      position = open + 2;
      continue;
    }
    literal += text.slice(position, open);
    const close = interpolationEnd(text, open + 2);
    const source = text.slice(open + 2, close).trim();
    try {
      const value = evaluateExpression(source, context);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(value);
    } catch (error) {
      if (!(error instanceof RuntimeReference) || inner) {
        if (error instanceof RuntimeReference) throw new HclEvalError(`Unknown variable: There is no variable named "${error.message}".`);
        throw error;
      }
      literal += text.slice(open, close + 1);
    }
    position = close + 1;
  }
  if (literal) parts.push(literal);
  if (parts.length === 1 && !(typeof parts[0] === 'string' && literal)) return parts[0];
  return parts.map(toText).join('');
}

/** Every string inside a decoded value rendered. */
export function renderValue(value: unknown, context: EvalContext): HclValue {
  if (typeof value === 'string') return renderTemplate(value, context);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, context));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, renderValue(inner, context)]));
  return value as HclValue;
}
