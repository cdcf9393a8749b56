import { HclEvalError, parseExpression, type Node } from './expressions';

/**
 * HCL's native syntax (bodies of attributes and labelled blocks, comments, heredocs) read into
 * the JSON shape hcl2json gives: a block type maps to a list of bodies, each label adds a level
 * of keys; literal values come out as JSON, every other expression as `${…}` text for the
 * evaluator. Errors carry the position as HCL reports it (`input.hcl:3,5-6: …`). Pure.
 *
 * Written here rather than taken from `@cdktf/hcl2json` (the same parser compiled to WebAssembly):
 * that package loads its WASM from a file beside its CommonJS code at import time, which cannot
 * live in the single ESM bundle each Lambda is (no dynamic `require`, no side files), and costs
 * a quarter of a second on every cold start.
 */
export class HclSyntaxError extends Error {}

type Loose = Record<string, any>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*/;

class Reader {
  private pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  private where(from: number, to = from + 1): string {
    const line = (offset: number) => {
      let low = 0;
      while (low + 1 < this.lineStarts.length && this.lineStarts[low + 1] <= offset) low++;
      return low;
    };
    const startLine = line(from);
    const endLine = line(Math.max(from, to));
    const start = `${startLine + 1},${from - this.lineStarts[startLine] + 1}`;
    const end = endLine === startLine ? `${to - this.lineStarts[endLine] + 1}` : `${endLine + 1},${to - this.lineStarts[endLine] + 1}`;
    return `${this.file}:${start}-${end}`;
  }

  fail(summary: string, detail: string, from = this.pos, to = from + 1): never {
    throw new HclSyntaxError(`${this.where(from, to)}: ${summary}; ${detail}`);
  }

  /** Skips spaces and comments; newlines too unless `inline`. */
  private skip(inline = false): void {
    for (;;) {
      const char = this.text[this.pos];
      if (char === ' ' || char === '\t' || char === '\r' || (!inline && char === '\n')) this.pos++;
      else if (char === '#' || this.text.startsWith('//', this.pos)) {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end < 0 ? this.text.length : end;
      } else if (this.text.startsWith('/*', this.pos)) {
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('Unterminated block comment', 'There is no closing marker for this comment.');
        this.pos = end + 2;
      } else return;
    }
  }

  body(closing: boolean, opened = 0): Loose {
    const result: Loose = {};
    const attributes = new Set<string>();
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length) {
        if (closing) this.fail('Unclosed configuration block', 'There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.', opened);
        return result;
      }
      if (this.text[this.pos] === '}') {
        if (!closing) this.fail('Argument or block definition required', 'An argument or block definition is required here.');
        this.pos++;
        return result;
      }
      const start = this.pos;
      const name = IDENTIFIER.exec(this.text.slice(this.pos))?.[0];
      if (!name) this.fail('Argument or block definition required', 'An argument or block definition is required here.');
      this.pos += name.length;
      this.skip(true);
      if (this.text[this.pos] === '=' && this.text[this.pos + 1] !== '=') {
        this.pos++;
        if (attributes.has(name)) this.fail('Attribute redefined', `The argument "${name}" was already set.`, start, start + name.length);
        attributes.add(name);
        result[name] = this.attributeValue();
        this.endOfAttribute();
      } else {
        this.block(result, name, start);
      }
    }
  }

  private block(into: Loose, type: string, start: number): void {
    const labels: string[] = [];
    for (;;) {
      this.skip(true);
      const char = this.text[this.pos];
      if (char === '{') break;
      if (char === '"') labels.push(this.quotedLabel());
      else {
        const label = IDENTIFIER.exec(this.text.slice(this.pos))?.[0];
        if (!label) {
          this.fail(
            'Argument or block definition required',
            `An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.`,
            start,
            this.pos,
          );
        }
        labels.push(label);
        this.pos += label.length;
      }
    }
    const opened = this.pos++;
    const body = this.body(true, opened);
    let level: Loose = into;
    let key = type;
    for (const label of labels) {
      level[key] ??= {};
      if (Array.isArray(level[key])) this.fail('Unsupported block type', `Blocks of type "${type}" are used inconsistently.`, start);
      level = level[key];
      key = label;
    }
    level[key] ??= [];
    if (!Array.isArray(level[key])) this.fail('Duplicate block', `A block of type "${type}" is already defined with these labels.`, start);
    level[key].push(body);
  }

  private quotedLabel(): string {
    const start = this.pos;
    const end = this.stringEnd(this.pos + 1);
    this.pos = end + 1;
    const label = this.text.slice(start + 1, end);
    if (label.includes('${')) this.fail('Invalid block label', 'Template sequences are not allowed in block labels.', start, this.pos);
    return unescape(label);
  }

  /** The index of the quote closing a string whose content starts at `from`, across `${…}`. */
  private stringEnd(from: number): number {
    for (let i = from; i < this.text.length; i++) {
      const char = this.text[i];
      if (char === '\\') i++;
      else if (char === '"') return i;
      else if (char === '\n') break;
      else if (this.text.startsWith('${', i) || this.text.startsWith('%{', i)) i = this.interpolationEnd(i + 2);
    }
    return this.fail('Unterminated template string', 'No closing marker was found for the string.', from - 1);
  }

  private interpolationEnd(from: number): number {
    let depth = 0;
    for (let i = from; i < this.text.length; i++) {
      const char = this.text[i];
      if (char === '"') i = this.stringEnd(i + 1);
      else if (char === '{') depth++;
      else if (char === '}') {
        if (depth === 0) return i;
        depth--;
      }
    }
    return this.fail('Unterminated template interpolation', 'No closing brace was found for the interpolation sequence.', from - 2);
  }

  private attributeValue(): unknown {
    this.skip(true);
    const heredoc = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n/.exec(this.text.slice(this.pos));
    if (heredoc) return this.heredoc(heredoc[1] === '-', heredoc[2], heredoc[0].length);
    const start = this.pos;
    let depth = 0;
    for (; this.pos < this.text.length; this.pos++) {
      const char = this.text[this.pos];
      if (char === '"') this.pos = this.stringEnd(this.pos + 1);
      else if (char === '#' || this.text.startsWith('//', this.pos)) {
        if (depth === 0) break;
        const end = this.text.indexOf('\n', this.pos);
        this.pos = (end < 0 ? this.text.length : end) - 1;
      } else if ('([{'.includes(char)) depth++;
      else if (')]}'.includes(char)) {
        if (depth === 0) break;
        depth--;
      } else if (char === '\n' && depth === 0) break;
    }
    const source = this.text.slice(start, this.pos).trim();
    if (!source) this.fail('Invalid expression', 'Expected the start of an expression, but found an invalid expression token.', start, this.pos + 1);
    try {
      return jsonValue(parseExpression(source), source);
    } catch (error) {
      if (!(error instanceof HclEvalError)) throw error;
      const extra = /^Extra characters after expression: "([\s\S]*)"$/.exec(error.message);
      if (extra) {
        const at = start + source.length - extra[1].length;
        this.fail('Missing newline after argument', 'An argument definition must end with a newline.', at, at + 1);
      }
      this.fail('Invalid expression', error.message, start, start + source.length);
    }
  }

  private heredoc(indented: boolean, marker: string, headerLength: number): string {
    const start = this.pos + headerLength;
    const closing = new RegExp(`^[ \\t]*${marker}[ \\t]*$`, 'm');
    const match = closing.exec(this.text.slice(start));
    if (!match) this.fail('Unterminated template string', `No closing marker was found for the heredoc "${marker}".`, this.pos, start);
    let content = this.text.slice(start, start + match.index);
    this.pos = start + match.index + match[0].length;
    if (indented) {
      const lines = content.split('\n');
      const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^[ \t]*/.exec(line)![0].length));
      content = lines.map((line) => line.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
    }
    return content;
  }

  private endOfAttribute(): void {
    this.skip(true);
    const char = this.text[this.pos];
    if (this.pos >= this.text.length || char === '\n' || char === '}') return;
    this.fail('Missing newline after argument', 'An argument definition must end with a newline.');
  }
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

function unescape(text: string): string {
  return text
    .replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, short: string, long: string) => String.fromCodePoint(parseInt(short ?? long, 16)))
    .replace(/\\([nrt"\\])/g, (_, char: string) => ESCAPES[char]);
}

/** hcl2json's rendering of an expression: literals as JSON, anything else as `${source}`. */
function jsonValue(node: Node, source: string): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'template':
      return unescape(node.source);
    case 'tuple':
      return node.items.map((item, i) => jsonValue(item, node.sources[i]));
    case 'object':
      if (node.entries.every(([key]) => key.kind === 'literal' || (key.kind === 'template' && !key.source.includes('${')))) {
        return Object.fromEntries(node.entries.map(([key, value], i) => [String(jsonValue(key, '')), jsonValue(value, node.sources[i])]));
      }
      return `\${${source}}`;
    default:
      return `\${${source}}`;
  }
}

export function parseHcl(source: string, file = 'input.hcl'): Loose {
  return new Reader(source, file).body(false);
}
