import { parseTemplate, TemplateError, type Arg, type Cmd, type Node, type ParsedTemplate, type Pipe } from './parse';
import { formatValue, goMethod, goTypeName, isMap, isNil, isTrue, mapGet, mapKeys, sprint, sprintf } from './values';

/**
 * Executes a parsed Go text/template on data with a function map, as Go's text/template does:
 * the builtins (`and`, `or`, `not`, `len`, `index`, `slice`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`,
 * `print`, `printf`, `println`, `html`, `js`, `urlquery`, `call`), `missingkey=zero` or `=error`,
 * Go's truth and printing rules, and its error texts
 * (`template: NAME:LINE:COL: executing "NAME" at <CMD>: …`). Pure apart from the functions given.
 */
export type GoFunc = (...args: unknown[]) => unknown;

export interface ExecuteOptions {
  funcs: Record<string, GoFunc>;
  /** Go's `missingkey=error`: a missing map key fails instead of giving the zero value. */
  errMissingKey?: boolean;
}

class ExecError extends TemplateError {}

/** A function's argument of the wrong Go type: reported as Go's template does, not as the function's error. */
export class GoArgError extends Error {}
class BreakSignal {}
class ContinueSignal {}

/** A map type's zero value for a missing key (a Go map of structs gives an empty struct, not nil). */
export const ZERO_VALUE = Symbol('zeroValue');

const HTML_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' };

function compareBasic(a: unknown, b: unknown, op: string): number {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta !== 'string' && ta !== 'number' && ta !== 'boolean') || ta !== tb) {
    if (op === 'eq' && isNil(a) && isNil(b)) return 0;
    if (op === 'eq' && (isNil(a) || isNil(b))) return 1;
    if (op === 'eq' && ta === 'object' && tb === 'object') return a === b ? 0 : 1;
    throw new Error(ta !== tb ? 'incompatible types for comparison' : 'invalid type for comparison');
  }
  if (ta === 'boolean' && op !== 'eq') throw new Error('invalid type for comparison');
  return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
}

function length(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  if (isMap(value)) return Object.keys(value).length;
  throw new Error(`len of type ${goTypeName(value)}`);
}

function indexOne(item: unknown, key: unknown): unknown {
  if (Array.isArray(item) || typeof item === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new Error(`cannot index slice/array with type ${goTypeName(key)}`);
    const len = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
    if (key < 0 || key >= len) throw new Error(`index out of range: ${key}`);
    return typeof item === 'string' ? Buffer.from(item)[key] : item[key];
  }
  if (isMap(item)) {
    const entry = mapGet(item, String(key));
    return entry.found ? entry.value : (item as { [ZERO_VALUE]?: () => unknown })[ZERO_VALUE]?.();
  }
  if (isNil(item)) throw new Error('index of untyped nil');
  throw new Error(`can't index item of type ${goTypeName(item)}`);
}

export const BUILTINS: Record<string, GoFunc> = {
  not: (value) => !isTrue(value),
  len: length,
  index: (item, ...keys) => keys.reduce(indexOne, item),
  slice: (item, ...bounds) => {
    if (typeof item !== 'string' && !Array.isArray(item)) throw new Error(`can't slice item of type ${goTypeName(item)}`);
    const [from = 0, to = item.length] = bounds as number[];
    if (from < 0 || to > item.length || from > to) throw new Error(`index out of range: ${from > to ? from : to}`);
    return item.slice(from, to);
  },
  eq: (a, ...rest) => {
    if (rest.length === 0) throw new Error('missing argument for comparison');
    return rest.some((b) => compareBasic(a, b, 'eq') === 0);
  },
  ne: (a, b) => compareBasic(a, b, 'eq') !== 0,
  lt: (a, b) => compareBasic(a, b, 'lt') < 0,
  le: (a, b) => compareBasic(a, b, 'le') <= 0,
  gt: (a, b) => compareBasic(a, b, 'gt') > 0,
  ge: (a, b) => compareBasic(a, b, 'ge') >= 0,
  print: (...args) => sprint(args),
  printf: (format, ...args) => sprintf(String(format), args),
  println: (...args) => `${args.map((arg) => formatValue(arg)).join(' ')}\n`,
  html: (...args) => sprint(args).replace(/[<>&'"\0]/g, (c) => HTML_ESCAPES[c]),
  js: (...args) =>
    sprint(args).replace(/[\\'"<>&=\n\r\t]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!),
  urlquery: (...args) => encodeURIComponent(sprint(args)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  call: (fn, ...args) => {
    if (typeof fn !== 'function') throw new Error(`non-function of type ${goTypeName(fn)}`);
    return (fn as GoFunc)(...args);
  },
};

interface Variable {
  name: string;
  value: unknown;
}

const NO_FINAL = Symbol('noFinal');

class Executor {
  private vars: Variable[] = [];
  private out = '';
  private cmd: Cmd | undefined;
  private depth = 0;

  constructor(
    private readonly tmpl: ParsedTemplate,
    private readonly funcs: Record<string, GoFunc>,
    private readonly errMissingKey: boolean,
  ) {}

  run(data: unknown): string {
    this.vars = [{ name: '$', value: data }];
    this.list(this.tmpl.root, data);
    return this.out;
  }

  private fail(message: string): never {
    const cmd = this.cmd;
    const where = cmd ? `${this.tmpl.name}:${cmd.line}:${cmd.col}` : this.tmpl.name;
    throw new ExecError(`template: ${where}: executing "${this.tmpl.name}" at <${cmd?.text ?? ''}>: ${message}`);
  }

  private list(nodes: Node[], dot: unknown): void {
    for (const node of nodes) this.node(node, dot);
  }

  private scoped(fn: () => void): void {
    const mark = this.vars.length;
    try {
      fn();
    } finally {
      this.vars.length = mark;
    }
  }

  private node(node: Node, dot: unknown): void {
    switch (node.k) {
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const value = this.pipeline(node.pipe, dot);
        if (node.pipe.decl.length === 0) this.out += formatValue(value, true);
        return;
      }
      case 'if':
      case 'with':
        this.scoped(() => {
          const value = this.pipeline(node.pipe, dot);
          if (isTrue(value)) this.list(node.list, node.k === 'with' ? value : dot);
          else if (node.elseList) this.list(node.elseList, dot);
        });
        return;
      case 'range':
        this.scoped(() => this.range(node, dot));
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'template': {
        const body = this.tmpl.defines.get(node.name);
        if (!body) {
          this.cmd = { args: [], text: `template "${node.name}"`, line: node.line, col: node.col };
          this.fail(`template: no template "${node.name}" associated with template "${this.tmpl.name}"`);
        }
        if (++this.depth > 100_000) this.fail('exceeded maximum template depth (100000)');
        const value = node.pipe ? this.pipeline(node.pipe, dot) : undefined;
        const saved = this.vars;
        this.vars = [{ name: '$', value }];
        try {
          this.list(body, value);
        } finally {
          this.vars = saved;
          this.depth--;
        }
        return;
      }
    }
  }

  private range(node: { pipe: Pipe; list: Node[]; elseList?: Node[] }, dot: unknown): void {
    const value = this.pipeline(node.pipe, dot);
    const entries: [unknown, unknown][] = [];
    if (Array.isArray(value)) value.forEach((item, i) => entries.push([i, item]));
    else if (isMap(value)) for (const key of mapKeys(value)) entries.push([key, mapGet(value, key).value]);
    else if (typeof value === 'number' && Number.isInteger(value)) for (let i = 0; i < value; i++) entries.push([i, i]);
    else if (!isNil(value)) this.fail(`range can't iterate over ${formatValue(value)}`);
    if (entries.length === 0) {
      if (node.elseList) this.list(node.elseList, dot);
      return;
    }
    const [first, second] = node.pipe.decl;
    for (const [key, item] of entries) {
      const mark = this.vars.length;
      if (first !== undefined) this.setVar(first, second === undefined ? item : key, true);
      if (second !== undefined) this.setVar(second, item, true);
      try {
        this.list(node.list, item);
      } catch (signal) {
        if (signal instanceof BreakSignal) break;
        if (!(signal instanceof ContinueSignal)) throw signal;
      } finally {
        this.vars.length = mark;
      }
    }
  }

  private setVar(name: string, value: unknown, declare: boolean): void {
    if (declare) {
      this.vars.push({ name, value });
      return;
    }
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private variable(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    return this.fail(`undefined variable: ${name}`);
  }

  private pipeline(pipe: Pipe, dot: unknown): unknown {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.command(cmd, dot, value);
    for (const name of pipe.decl) this.setVar(name, value, !pipe.assign);
    return value;
  }

  private command(cmd: Cmd, dot: unknown, final: unknown): unknown {
    const saved = this.cmd;
    this.cmd = cmd;
    try {
      const [head, ...rest] = cmd.args;
      switch (head.k) {
        case 'ident':
          return this.call(head.name, rest, dot, final);
        case 'field':
          return this.chain(dot, head.chain, rest, dot, final);
        case 'var':
          return this.chain(this.variable(head.name), head.chain, rest, dot, final);
        case 'pipe':
          return this.chain(this.pipeline(head.pipe, dot), head.chain, rest, dot, final);
        default:
          if (rest.length > 0 || final !== NO_FINAL) this.fail(`can't give argument to non-function ${cmd.text.split(' ')[0]}`);
          return head.k === 'dot' ? dot : head.value;
      }
    } finally {
      this.cmd = saved;
    }
  }

  private arg(arg: Arg, dot: unknown): unknown {
    switch (arg.k) {
      case 'dot':
        return dot;
      case 'literal':
        return arg.value;
      case 'field':
        return this.chain(dot, arg.chain, [], dot, NO_FINAL);
      case 'var':
        return this.chain(this.variable(arg.name), arg.chain, [], dot, NO_FINAL);
      case 'pipe':
        return this.chain(this.pipeline(arg.pipe, dot), arg.chain, [], dot, NO_FINAL);
      case 'ident':
        return this.call(arg.name, [], dot, NO_FINAL);
    }
  }

  private call(name: string, argNodes: Arg[], dot: unknown, final: unknown): unknown {
    if (name === 'and' || name === 'or') {
      const all = [...argNodes.map((node) => () => this.arg(node, dot)), ...(final === NO_FINAL ? [] : [() => final])];
      if (all.length === 0) this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
      let value: unknown;
      for (const get of all) {
        value = get();
        if (isTrue(value) !== (name === 'and')) return value;
      }
      return value;
    }
    const fn = this.funcs[name] ?? BUILTINS[name];
    if (!fn) this.fail(`"${name}" is not a defined function`);
    const args = argNodes.map((node) => this.arg(node, dot));
    if (final !== NO_FINAL) args.push(final);
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof ExecError || error instanceof TemplateError) throw error;
      if (error instanceof GoArgError) return this.fail(error.message);
      return this.fail(`error calling ${name}: ${(error as Error).message}`);
    }
  }

  /** Walks `.a.b.c` from `receiver`; the last link may be a method taking the command's arguments. */
  private chain(receiver: unknown, chain: string[], argNodes: Arg[], dot: unknown, final: unknown): unknown {
    if (chain.length === 0) {
      if (argNodes.length > 0 || final !== NO_FINAL) this.fail(`can't give argument to non-function ${this.cmd?.text.split(' ')[0] ?? ''}`);
      return receiver;
    }
    let value = receiver;
    chain.forEach((name, i) => {
      const last = i === chain.length - 1;
      const method = goMethod(value, name);
      if (method) {
        const args = last ? argNodes.map((node) => this.arg(node, dot)) : [];
        if (last && final !== NO_FINAL) args.push(final);
        try {
          value = method(...args);
        } catch (error) {
          this.fail(`error calling ${name}: ${(error as Error).message}`);
        }
        return;
      }
      if (last && (argNodes.length > 0 || final !== NO_FINAL)) this.fail(`${name} has arguments but cannot be invoked as function`);
      if (isNil(value)) this.fail(`nil pointer evaluating interface {}.${name}`);
      if (isMap(value)) {
        const entry = mapGet(value, name);
        if (entry.found) value = entry.value;
        else if (this.errMissingKey) this.fail(`map has no entry for key "${name}"`);
        else value = (value as { [ZERO_VALUE]?: () => unknown })[ZERO_VALUE]?.();
        return;
      }
      if (typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, name)) {
        value = (value as Record<string, unknown>)[name];
        return;
      }
      this.fail(`can't evaluate field ${name} in type ${goTypeName(value)}`);
    });
    return value;
  }
}

export interface RenderOptions extends ExecuteOptions {
  name?: string;
  leftDelim?: string;
  rightDelim?: string;
}

export function parse(source: string, options: RenderOptions): ParsedTemplate {
  return parseTemplate(source, { name: options.name, leftDelim: options.leftDelim, rightDelim: options.rightDelim, funcs: new Set([...Object.keys(BUILTINS), 'and', 'or', ...Object.keys(options.funcs)]) });
}

export function execute(tmpl: ParsedTemplate, data: unknown, options: ExecuteOptions): string {
  return new Executor(tmpl, options.funcs, options.errMissingKey ?? false).run(data);
}

/** Parses and executes; throws Go's parse or execution error text. */
export function render(source: string, data: unknown, options: RenderOptions): string {
  return execute(parse(source, options), data, options);
}

export { TemplateError };
