/**
 * The parser of Go's text/template language, for the subset consul-template users write:
 * text and actions between configurable delimiters with `{{-`/`-}}` trim markers and
 * `{{/* comments *\/}}`; pipelines of commands joined by `|` with `$x :=`/`$x =` variables;
 * fields (`.a.b`), variables (`$x.a`), parenthesised pipelines with fields, function calls and
 * literals (Go strings, raw strings, characters, numbers, booleans, nil); `if`/`else if`,
 * `with`/`else with`, `range` (with `$i, $e :=`, `break`, `continue`), `define`, `template`,
 * `block`. Errors read as Go's (`template: NAME:LINE: …`). Pure.
 */

export type Arg =
  | { k: 'dot' }
  | { k: 'field'; chain: string[] }
  | { k: 'var'; name: string; chain: string[] }
  | { k: 'ident'; name: string }
  | { k: 'pipe'; pipe: Pipe; chain: string[] }
  | { k: 'literal'; value: unknown };

export interface Cmd {
  args: Arg[];
  text: string;
  line: number;
  col: number;
}

export interface Pipe {
  decl: string[];
  /** `$x = …` assigns an existing variable instead of declaring one. */
  assign: boolean;
  cmds: Cmd[];
}

export type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipe }
  | { k: 'if' | 'with' | 'range'; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { k: 'template'; name: string; pipe?: Pipe; line: number; col: number }
  | { k: 'break' | 'continue' };

export interface ParsedTemplate {
  name: string;
  root: Node[];
  defines: Map<string, Node[]>;
}

export class TemplateError extends Error {}

export interface ParseOptions {
  name?: string;
  leftDelim?: string;
  rightDelim?: string;
  /** Function names the template may call; any other is a parse error, as in Go. */
  funcs: Set<string>;
}

type Tok =
  | { t: 'text'; v: string }
  | { t: 'open'; line: number; col: number; src: string }
  | { t: 'close' }
  | { t: 'space' }
  | { t: 'lparen' | 'rparen' | 'pipe' | 'comma' | 'declare' | 'assign' }
  | { t: 'string' | 'number' | 'char'; v: unknown }
  | { t: 'ident' | 'field' | 'var'; v: string }
  | { t: 'dot' };

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil', 'true', 'false']);
const SPACE = /[ \t\r\n]/;

function unquote(raw: string, fail: (msg: string) => never): string {
  return raw.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, esc: string) => {
    switch (esc[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '\\':
      case '"':
      case "'":
        return esc;
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(parseInt(esc.slice(1), 16));
      default:
        if (/^[0-7]{3}$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
        return fail(`invalid syntax`);
    }
  });
}

class Lexer {
  private pos = 0;
  readonly toks: Tok[] = [];

  constructor(
    private readonly src: string,
    private readonly left: string,
    private readonly right: string,
    private readonly fail: (line: number, msg: string) => never,
  ) {}

  private lineAt(pos: number): number {
    let line = 1;
    for (let i = 0; i < pos; i++) if (this.src.charCodeAt(i) === 10) line++;
    return line;
  }

  private colAt(pos: number): number {
    return pos - (this.src.lastIndexOf('\n', pos - 1) + 1);
  }

  run(): Tok[] {
    const { src, left, right } = this;
    let trimNext = false;
    while (this.pos <= src.length) {
      const open = src.indexOf(left, this.pos);
      let text = open < 0 ? src.slice(this.pos) : src.slice(this.pos, open);
      if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
      if (open < 0) {
        if (text) this.toks.push({ t: 'text', v: text });
        break;
      }
      let inner = open + left.length;
      const trimLeft = src[inner] === '-' && SPACE.test(src[inner + 1] ?? '');
      if (trimLeft) {
        text = text.replace(/[ \t\r\n]+$/, '');
        inner += 2;
      }
      if (text) this.toks.push({ t: 'text', v: text });
      while (SPACE.test(src[inner] ?? '')) inner++;
      if (src.startsWith('/*', inner)) {
        const end = src.indexOf('*/', inner + 2);
        if (end < 0) this.fail(this.lineAt(open), 'unclosed comment');
        let after = end + 2;
        let trimRight = false;
        if (src.startsWith(` -${right}`, after) || src.startsWith(`\t-${right}`, after) || src.startsWith(`\n-${right}`, after)) {
          trimRight = true;
          after += 2;
        }
        if (!src.startsWith(right, after)) this.fail(this.lineAt(open), 'comment ends before closing delimiter');
        this.pos = after + right.length;
        trimNext = trimRight;
        continue;
      }
      this.toks.push({ t: 'open', line: this.lineAt(inner), col: this.colAt(inner), src: '' });
      const openTok = this.toks[this.toks.length - 1] as { src: string };
      this.pos = inner;
      trimNext = this.action(open);
      openTok.src = src.slice(inner, this.pos).replace(new RegExp(`[ \\t\\r\\n]*-?${escapeRe(right)}$`), '').trim();
    }
    return this.toks;
  }

  /** Lexes one action up to and including its right delimiter; true when it trims the text after it. */
  private action(open: number): boolean {
    const { src, right } = this;
    const line = this.lineAt(open);
    let before = this.toks.length;
    let start = this.pos;
    for (;;) {
      // Each token remembers where it starts, for the positions Go's execution errors give.
      for (; before < this.toks.length; before++) Object.assign(this.toks[before], { line: this.lineAt(start), col: this.colAt(start) });
      start = this.pos;
      if (this.pos >= src.length) this.fail(line, 'unclosed action');
      const c = src[this.pos];
      if (SPACE.test(c)) {
        let end = this.pos;
        while (SPACE.test(src[end] ?? '')) end++;
        if (src[end] === '-' && src.startsWith(right, end + 1)) {
          this.pos = end + 1 + right.length;
          this.toks.push({ t: 'close' });
          return true;
        }
        this.pos = end;
        this.toks.push({ t: 'space' });
        continue;
      }
      if (src.startsWith(right, this.pos)) {
        this.pos += right.length;
        this.toks.push({ t: 'close' });
        return false;
      }
      if (c === '(' || c === ')' || c === '|' || c === ',') {
        this.toks.push({ t: c === '(' ? 'lparen' : c === ')' ? 'rparen' : c === '|' ? 'pipe' : 'comma' });
        this.pos++;
        if (c === ')') this.fields();
        continue;
      }
      if (c === ':' && src[this.pos + 1] === '=') {
        this.toks.push({ t: 'declare' });
        this.pos += 2;
        continue;
      }
      if (c === '=') {
        this.toks.push({ t: 'assign' });
        this.pos++;
        continue;
      }
      if (c === '"') {
        const m = /^"(?:[^"\\\n]|\\.)*"/.exec(src.slice(this.pos));
        if (!m) this.fail(line, 'unterminated quoted string');
        this.toks.push({ t: 'string', v: unquote(m[0].slice(1, -1), () => this.fail(line, 'invalid syntax')) });
        this.pos += m[0].length;
        continue;
      }
      if (c === '`') {
        const end = src.indexOf('`', this.pos + 1);
        if (end < 0) this.fail(line, 'unterminated raw quoted string');
        this.toks.push({ t: 'string', v: src.slice(this.pos + 1, end) });
        this.pos = end + 1;
        continue;
      }
      if (c === "'") {
        const m = /^'(?:[^'\\\n]|\\.[^']*)'/.exec(src.slice(this.pos));
        if (!m) this.fail(line, 'unterminated character constant');
        this.toks.push({ t: 'char', v: unquote(m[0].slice(1, -1), () => this.fail(line, 'invalid syntax')).codePointAt(0) });
        this.pos += m[0].length;
        continue;
      }
      const num = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(src.slice(this.pos));
      if (num && (c !== '.' || /\d/.test(src[this.pos + 1] ?? ''))) {
        const text = num[0].replace(/_/g, '');
        const sign = text.startsWith('-') ? -1 : 1;
        const digits = text.replace(/^[+-]/, '');
        const value = sign * (/^0[0-7]+$/.test(digits) ? parseInt(digits, 8) : Number(digits));
        if (Number.isNaN(value)) this.fail(line, `bad number syntax: "${num[0]}"`);
        this.toks.push({ t: 'number', v: value });
        this.pos += num[0].length;
        continue;
      }
      if (c === '$') {
        const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(this.pos))!;
        this.toks.push({ t: 'var', v: m[0] });
        this.pos += m[0].length;
        this.fields();
        continue;
      }
      if (c === '.') {
        if (!/[A-Za-z_]/.test(src[this.pos + 1] ?? '')) {
          this.toks.push({ t: 'dot' });
          this.pos++;
          continue;
        }
        this.fields();
        continue;
      }
      const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(this.pos));
      if (ident) {
        this.toks.push({ t: 'ident', v: ident[0] });
        this.pos += ident[0].length;
        continue;
      }
      this.fail(line, `unexpected "${c}" in command`);
    }
  }

  private fields(): void {
    for (;;) {
      const m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
      if (!m) return;
      this.toks.push({ t: 'field', v: m[0].slice(1) });
      this.pos += m[0].length;
    }
  }
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type ControlEnd = { kind: 'end' } | { kind: 'else'; chain?: 'if' | 'with'; pipe?: Pipe };

class Parser {
  private i = 0;
  private readonly defines = new Map<string, Node[]>();
  private vars: string[][] = [['$']];
  private action = { line: 1, col: 0, src: '' };

  constructor(
    private readonly toks: Tok[],
    private readonly options: ParseOptions & { name: string },
  ) {}

  fail(msg: string, line = this.action.line): never {
    throw new TemplateError(`template: ${this.options.name}:${line}: ${msg}`);
  }

  parse(): ParsedTemplate {
    const [root, end] = this.list(true);
    if (end) this.fail(`unexpected {{${end.kind}}}`);
    return { name: this.options.name, root, defines: this.defines };
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  private next(): Tok {
    return this.toks[this.i++];
  }

  private skipSpace(): void {
    while (this.peek()?.t === 'space') this.i++;
  }

  /** Nodes up to an `{{end}}` or `{{else …}}` (which it returns), or the end of input at top level. */
  private list(top: boolean, context = ''): [Node[], ControlEnd | undefined] {
    const nodes: Node[] = [];
    for (;;) {
      const tok = this.next();
      if (!tok) {
        if (!top) this.fail(`unexpected EOF`);
        return [nodes, undefined];
      }
      if (tok.t === 'text') {
        nodes.push({ k: 'text', text: tok.v });
        continue;
      }
      if (tok.t !== 'open') this.fail('unexpected token');
      this.action = tok;
      this.skipSpace();
      const head = this.peek();
      if (head?.t === 'ident' && KEYWORDS.has(head.v) && !['nil', 'true', 'false'].includes(head.v)) {
        this.i++;
        const word = head.v;
        if (word === 'end') {
          this.closeAction('end');
          if (top) this.fail('unexpected {{end}}');
          return [nodes, { kind: 'end' }];
        }
        if (word === 'else') {
          if (top) this.fail('unexpected {{else}}');
          this.skipSpace();
          const chained = this.peek();
          if (chained?.t === 'ident' && (chained.v === 'if' || chained.v === 'with')) {
            this.i++;
            if (chained.v !== context) this.fail(`unexpected {{else ${chained.v}}}`);
            return [nodes, { kind: 'else', chain: chained.v, pipe: this.pipeline(chained.v) }];
          }
          this.closeAction('else');
          return [nodes, { kind: 'else' }];
        }
        if (word === 'if' || word === 'with' || word === 'range') {
          nodes.push(this.control(word, this.pipeline(word)));
          continue;
        }
        if (word === 'break' || word === 'continue') {
          this.closeAction(word);
          nodes.push({ k: word });
          continue;
        }
        if (word === 'define' || word === 'template' || word === 'block') {
          nodes.push(...this.templateAction(word));
          continue;
        }
      }
      nodes.push({ k: 'action', pipe: this.pipeline('command') });
    }
  }

  private closeAction(context: string): void {
    this.skipSpace();
    if (this.next()?.t !== 'close') this.fail(`unexpected token in ${context}`);
  }

  private control(kind: 'if' | 'with' | 'range', pipe: Pipe): Node {
    this.vars.push([]);
    const [list, end] = this.list(false, kind);
    this.vars.pop();
    if (end?.kind === 'else') {
      if (kind === 'range' && end.chain) this.fail('unexpected else');
      if (end.chain) {
        // `{{else if …}}` is an `if` nested in the else branch, sharing this one's `{{end}}`.
        const nested = this.control(end.chain, end.pipe!);
        return { k: kind, pipe, list, elseList: [nested] };
      }
      this.vars.push([]);
      const [elseList, elseEnd] = this.list(false, kind);
      this.vars.pop();
      if (elseEnd?.kind !== 'end') this.fail(`expected end; found {{else}}`);
      return { k: kind, pipe, list, elseList };
    }
    return { k: kind, pipe, list };
  }

  private templateAction(word: 'define' | 'template' | 'block'): Node[] {
    this.skipSpace();
    const nameTok = this.next();
    if (nameTok?.t !== 'string') this.fail(`unexpected token in ${word} clause`);
    const name = nameTok.v as string;
    const { line, col } = this.action;
    if (word === 'define') {
      this.closeAction('define');
      const saved = this.vars;
      this.vars = [['$']];
      const [body, end] = this.list(false, 'define');
      this.vars = saved;
      if (end?.kind !== 'end') this.fail('unexpected {{else}} in define');
      this.defines.set(name, body);
      return [];
    }
    this.skipSpace();
    const pipe = this.peek()?.t === 'close' ? (this.i++, undefined) : this.pipeline(word);
    if (word === 'block') {
      const saved = this.vars;
      this.vars = [['$']];
      const [body, end] = this.list(false, 'block');
      this.vars = saved;
      if (end?.kind !== 'end') this.fail('unexpected {{else}} in block');
      this.defines.set(name, body);
    }
    return [{ k: 'template', name, pipe, line, col }];
  }

  private declared(name: string): boolean {
    return this.vars.some((scope) => scope.includes(name));
  }

  /** A pipeline up to the action's close (or a `)` when `nested`). */
  private pipeline(context: string, nested = false): Pipe {
    this.skipSpace();
    const pipe: Pipe = { decl: [], assign: false, cmds: [] };
    const start = this.i;
    const vars: string[] = [];
    while (this.peek()?.t === 'var') {
      vars.push((this.next() as { v: string }).v);
      this.skipSpace();
      const sep = this.peek();
      if (sep?.t === 'declare' || sep?.t === 'assign') {
        this.i++;
        pipe.decl = vars;
        pipe.assign = sep.t === 'assign';
        if (vars.length > 1 && (context !== 'range' || pipe.assign)) this.fail(`too many declarations in ${context}`);
        if (pipe.assign) for (const name of vars) if (!this.declared(name)) this.fail(`undefined variable "${name}"`);
        break;
      }
      if (sep?.t === 'comma' && context === 'range' && vars.length < 2) {
        this.i++;
        this.skipSpace();
        continue;
      }
      this.i = start;
      vars.length = 0;
      break;
    }
    for (;;) {
      this.skipSpace();
      const tok = this.peek();
      if (!tok) this.fail('unclosed action');
      if (tok.t === 'close' || (nested && tok.t === 'rparen')) {
        this.i++;
        break;
      }
      pipe.cmds.push(this.command(nested));
      this.skipSpace();
      if (this.peek()?.t === 'pipe') {
        this.i++;
        this.skipSpace();
        const after = this.peek();
        if (!after || after.t === 'close' || after.t === 'rparen') this.fail('missing command');
      }
    }
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
    if (!pipe.assign) this.vars[this.vars.length - 1].push(...pipe.decl);
    return pipe;
  }

  private command(nested: boolean): Cmd {
    const from = this.i;
    const at = this.toks[from] as { line?: number; col?: number };
    const cmd: Cmd = { args: [], text: '', line: at.line ?? this.action.line, col: at.col ?? this.action.col };
    for (;;) {
      const tok = this.peek();
      if (!tok || tok.t === 'close' || tok.t === 'pipe' || (nested && tok.t === 'rparen')) break;
      if (tok.t === 'space') {
        this.i++;
        continue;
      }
      if (tok.t === 'rparen') this.fail('unexpected right paren');
      cmd.args.push(this.operand());
    }
    if (cmd.args.length === 0) this.fail('missing command');
    cmd.text = this.toks
      .slice(from, this.i)
      .map(render)
      .join('')
      .trim();
    return cmd;
  }

  private chain(): string[] {
    const chain: string[] = [];
    while (this.peek()?.t === 'field') chain.push((this.next() as { v: string }).v);
    return chain;
  }

  private operand(): Arg {
    const tok = this.next();
    switch (tok.t) {
      case 'dot':
        return { k: 'dot' };
      case 'field':
        return { k: 'field', chain: [tok.v, ...this.chain()] };
      case 'var':
        if (!this.declared(tok.v)) this.fail(`undefined variable "${tok.v}"`);
        return { k: 'var', name: tok.v, chain: this.chain() };
      case 'string':
      case 'number':
      case 'char':
        return { k: 'literal', value: tok.v };
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline', true);
        return { k: 'pipe', pipe, chain: this.chain() };
      }
      case 'ident':
        if (tok.v === 'true' || tok.v === 'false') return { k: 'literal', value: tok.v === 'true' };
        if (tok.v === 'nil') return { k: 'literal', value: null };
        if (KEYWORDS.has(tok.v)) this.fail(`unexpected <${tok.v}> in command`);
        if (!this.options.funcs.has(tok.v)) this.fail(`function "${tok.v}" not defined`);
        return { k: 'ident', name: tok.v };
      default:
        return this.fail(`unexpected ${tok.t} in operand`);
    }
  }
}

function render(tok: Tok): string {
  switch (tok.t) {
    case 'space':
      return ' ';
    case 'lparen':
      return '(';
    case 'rparen':
      return ')';
    case 'comma':
      return ',';
    case 'declare':
      return ':=';
    case 'assign':
      return '=';
    case 'string':
      return JSON.stringify(tok.v);
    case 'number':
    case 'char':
      return String(tok.v);
    case 'ident':
    case 'var':
      return tok.v;
    case 'field':
      return `.${tok.v}`;
    case 'dot':
      return '.';
    default:
      return '';
  }
}

export function parseTemplate(source: string, options: ParseOptions): ParsedTemplate {
  const name = options.name ?? '';
  const left = options.leftDelim || '{{';
  const right = options.rightDelim || '}}';
  const fail = (line: number, msg: string): never => {
    throw new TemplateError(`template: ${name}:${line}: ${msg}`);
  };
  const toks = new Lexer(source, left, right, fail).run();
  return new Parser(toks, { ...options, name }).parse();
}
