import { createHash, createHmac } from 'node:crypto';
import { RE2JS } from 're2js';
import { dump as toYaml, load as loadYaml } from 'js-yaml';
import { GoArgError, type GoFunc } from '../../common/go-template/execute';
import { formatValue, goMethod, goTypeName, isMap, isNil, mapGet, mapKeys } from '../../common/go-template/values';

/**
 * consul-template's helper functions that read no Consul, Vault or Nomad data, with its argument
 * order (the piped value comes last: `{{ "a,b" | split "," }}`), its results and error texts.
 * `plugin`, `writeToFile` and `executeTemplate` are refused as Nomad's client refuses them by
 * default (`function is disabled`). Pure apart from `timestamp`.
 */

/** A string argument, as Go's template checks it: anything else is "wrong type for value". */
function str(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new GoArgError(`wrong type for value; expected string; got ${goTypeName(value)}`);
}

/** Go's encoding/json of a template value: map keys sorted, `MarshalJSON` honoured, HTML escaped unless `unescaped`. */
export function goJson(value: unknown, indent = '', unescaped = false): string {
  const prepared = (item: unknown): unknown => {
    if (isNil(item)) return null;
    const marshal = goMethod(item, 'MarshalJSON');
    if (marshal) return JSON.parse(String(marshal()));
    if (Array.isArray(item)) return item.map(prepared);
    if (isMap(item)) return Object.fromEntries(mapKeys(item).map((key) => [key, prepared(mapGet(item, key).value)]));
    if (typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, field]) => [key, prepared(field)]));
    return item;
  };
  const text = JSON.stringify(prepared(value), null, indent || undefined) ?? 'null';
  const escaped = text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  return unescaped ? escaped : escaped.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

function toNumber(value: unknown, name: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  throw new Error(`${name}: unknown type for ${JSON.stringify(formatValue(value))} (${typeof value})`);
}

function math(name: string, op: (a: number, b: number) => number): GoFunc {
  return (b, a) => {
    const x = toNumber(a, name);
    const y = toNumber(b, name);
    if ((name === 'divide' || name === 'modulo') && y === 0) throw new Error(`${name}: division by zero`);
    const result = op(x, y);
    return Number.isInteger(x) && Number.isInteger(y) ? Math.trunc(result) : result;
  };
}

function list(value: unknown): unknown[] {
  if (isNil(value)) return [];
  if (Array.isArray(value)) return value;
  if (isMap(value)) return mapKeys(value).map((key) => mapGet(value, key).value);
  throw new Error(`unsupported type ${typeof value}`);
}

function containsSome(all: boolean, want: boolean): GoFunc {
  return (needles, haystack) => {
    const inside = list(haystack).map((item) => formatValue(item));
    const results = list(needles).map((needle) => inside.includes(formatValue(needle)) === want);
    return all ? results.every(Boolean) : results.some(Boolean);
  };
}

function base64Decode(urlSafe: boolean): GoFunc {
  const name = urlSafe ? 'base64URLDecode' : 'base64Decode';
  const alphabet = urlSafe ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
  return (s) => {
    const text = str(s);
    if (!alphabet.test(text) || text.length % 4 !== 0) throw new Error(`${name}: illegal base64 data at input byte ${Math.max(0, text.search(urlSafe ? /[^A-Za-z0-9_=-]/ : /[^A-Za-z0-9+/=]/))}`);
    return Buffer.from(text, urlSafe ? 'base64url' : 'base64').toString();
  };
}

/** Go's strings.Title: the first letter of each word upper-cased. */
function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

/** consul-template's `scratch`: a per-render key/value store. */
export class Scratch {
  private readonly values = new Map<string, unknown>();

  Key(key: string): boolean {
    return this.values.has(key);
  }

  Get(key: string): unknown {
    return this.values.get(key);
  }

  Set(key: string, value: unknown): string {
    this.values.set(key, value);
    return '';
  }

  SetX(key: string, value: unknown): string {
    if (!this.values.has(key)) this.values.set(key, value);
    return '';
  }

  MapSet(key: string, mapKey: string, value: unknown): string {
    const map = (this.values.get(key) as Map<string, unknown> | undefined) ?? new Map<string, unknown>();
    map.set(mapKey, value);
    this.values.set(key, map);
    return '';
  }

  MapSetX(key: string, mapKey: string, value: unknown): string {
    const map = this.values.get(key) as Map<string, unknown> | undefined;
    if (!map?.has(mapKey)) this.MapSet(key, mapKey, value);
    return '';
  }

  MapValues(key: string): unknown[] {
    const map = this.values.get(key);
    return map instanceof Map ? mapKeys(map).map((k) => map.get(k)) : [];
  }
}

const DENIED = ['plugin', 'writeToFile', 'executeTemplate'];

export function helperFuncs(now: () => Date = () => new Date()): Record<string, GoFunc> {
  const scratch = new Scratch();
  const funcs: Record<string, GoFunc> = {
    base64Decode: base64Decode(false),
    base64Encode: (s) => Buffer.from(str(s)).toString('base64'),
    base64URLDecode: base64Decode(true),
    base64URLEncode: (s) => Buffer.from(str(s)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
    contains: (needle, haystack) => list(haystack).some((item) => formatValue(item) === formatValue(needle)),
    containsAll: containsSome(true, true),
    containsAny: containsSome(false, true),
    containsNone: containsSome(true, false),
    containsNotAll: containsSome(false, false),
    in: (haystack, needle) => {
      if (typeof haystack === 'string') return haystack.includes(str(needle));
      return list(haystack).some((item) => formatValue(item) === formatValue(needle));
    },
    indent: (spaces, s) => {
      const n = Number(spaces);
      if (n < 0) throw new Error('indent value must be a positive integer');
      return str(s)
        .split('\n')
        .map((line) => (line ? ' '.repeat(n) + line : line))
        .join('\n');
    },
    join: (sep, items) => list(items).map((item) => formatValue(item)).join(str(sep)),
    loop: (...args) => {
      const [start, stop] = args.length === 1 ? [0, Number(args[0])] : [Number(args[0]), Number(args[1])];
      if (args.length === 0 || args.length > 2) throw new Error('loop: wrong number of arguments, expected 1 or 2, but got ' + args.length);
      return Array.from({ length: Math.max(0, stop - start) }, (_, i) => start + i);
    },
    parseBool: (s) => {
      const text = str(s);
      if (text === '') return false;
      if (/^(1|t|T|TRUE|true|True)$/.test(text)) return true;
      if (/^(0|f|F|FALSE|false|False)$/.test(text)) return false;
      throw new Error(`parseBool: strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
    },
    parseFloat: (s) => {
      const text = str(s);
      if (text === '') return 0;
      const value = Number(text);
      if (Number.isNaN(value)) throw new Error(`parseFloat: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
      return value;
    },
    parseInt: (s) => {
      const text = str(s);
      if (text === '') return 0;
      if (!/^[+-]?\d+$/.test(text)) throw new Error(`parseInt: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
      return Number(text);
    },
    parseUint: (s) => {
      const text = str(s);
      if (text === '') return 0;
      if (!/^\+?\d+$/.test(text)) throw new Error(`parseUint: strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
      return Number(text);
    },
    parseJSON: (s) => {
      const text = str(s);
      if (text === '') return {};
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new Error(`parseJSON: ${(error as Error).message}`);
      }
    },
    parseYAML: (s) => {
      const text = str(s);
      if (text === '') return {};
      try {
        return loadYaml(text) ?? {};
      } catch (error) {
        throw new Error(`parseYAML: ${(error as Error).message}`);
      }
    },
    regexMatch: (re, s) => RE2JS.compile(str(re)).matcher(formatValue(s)).find(),
    regexReplaceAll: (re, replacement, s) => RE2JS.compile(str(re)).matcher(formatValue(s)).replaceAll(str(replacement).replace(/\$\{?(\w+)\}?/g, '$$$1')),
    replaceAll: (from, to, s) => str(s).split(str(from)).join(str(to)),
    sha256Hex: (s) => createHash('sha256').update(str(s)).digest('hex'),
    md5sum: (s) => createHash('md5').update(str(s)).digest('hex'),
    hmacSHA256Hex: (message, key) => createHmac('sha256', str(key)).update(str(message)).digest('hex'),
    split: (sep, s) => {
      const text = str(s).trim();
      return text === '' ? [] : text.split(str(sep));
    },
    splitToMap: (sep, kvSep, s) => {
      const out: Record<string, string> = {};
      for (const pair of str(s).split(str(sep))) {
        const at = pair.indexOf(str(kvSep));
        if (at < 0) throw new Error(`splitToMap: invalid key/value separator ${JSON.stringify(kvSep)} in ${JSON.stringify(pair)}`);
        out[pair.slice(0, at)] = pair.slice(at + str(kvSep).length);
      }
      return out;
    },
    timestamp: (...args) => {
      const date = now();
      if (args[0] === 'unix') return String(Math.floor(date.getTime() / 1000));
      return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    },
    toLower: (s) => str(s).toLowerCase(),
    toUpper: (s) => str(s).toUpperCase(),
    toTitle: (s) => title(str(s)),
    trim: (cutset, s) => {
      const set = [...str(cutset)];
      const chars = [...str(s)];
      let from = 0;
      let to = chars.length;
      while (from < to && set.includes(chars[from])) from++;
      while (to > from && set.includes(chars[to - 1])) to--;
      return chars.slice(from, to).join('');
    },
    trimPrefix: (prefix, s) => (str(s).startsWith(str(prefix)) ? str(s).slice(str(prefix).length) : str(s)),
    trimSuffix: (suffix, s) => (str(suffix) && str(s).endsWith(str(suffix)) ? str(s).slice(0, -str(suffix).length) : str(s)),
    trimSpace: (s) => str(s).trim(),
    toJSON: (value) => goJson(value),
    toJSONPretty: (value) => goJson(value, '  '),
    toUnescapedJSON: (value) => goJson(value, '', true),
    toUnescapedJSONPretty: (value) => goJson(value, '  ', true),
    toYAML: (value) => toYaml(JSON.parse(goJson(value, '', true))).trimEnd(),
    add: math('add', (a, b) => a + b),
    subtract: math('subtract', (a, b) => a - b),
    multiply: math('multiply', (a, b) => a * b),
    divide: math('divide', (a, b) => a / b),
    modulo: math('modulo', (a, b) => a % b),
    minimum: math('minimum', Math.min),
    maximum: math('maximum', Math.max),
    scratch: () => scratch,
  };
  for (const name of DENIED) {
    funcs[name] = () => {
      throw new Error('function is disabled');
    };
  }
  return funcs;
}
