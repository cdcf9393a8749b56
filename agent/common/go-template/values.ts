/**
 * How Go values look in the template evaluator, and how Go's fmt prints them. Go maps are JS
 * `Map`s or plain objects (from JSON); slices are arrays; structs are class instances whose
 * exported (capitalised) methods a template may call; nil is `null` or `undefined`. A value with
 * a `String()` method prints through it, as a Go fmt.Stringer does. Pure.
 */

export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isMap(value: unknown): value is Map<string, unknown> | Record<string, unknown> {
  return value instanceof Map || isPlainObject(value);
}

export function isStruct(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isMap(value);
}

/** A map's keys in Go's order (sorted; numbers numerically). */
export function mapKeys(map: Map<string, unknown> | Record<string, unknown>): string[] {
  const keys = map instanceof Map ? [...map.keys()] : Object.keys(map);
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function mapGet(map: Map<string, unknown> | Record<string, unknown>, key: string): { found: boolean; value: unknown } {
  if (map instanceof Map) return { found: map.has(key), value: map.get(key) };
  return Object.prototype.hasOwnProperty.call(map, key) ? { found: true, value: map[key] } : { found: false, value: undefined };
}

/** A Go method of a struct or map-like value: exported (capitalised) and not a plain field. */
export function goMethod(value: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (typeof value !== 'object' || value === null || !/^[A-Z]/.test(name) || Object.prototype.hasOwnProperty.call(value, name)) return undefined;
  const fn = (value as Record<string, unknown>)[name];
  return typeof fn === 'function' ? (fn as (...args: unknown[]) => unknown).bind(value) : undefined;
}

/** Go's `IsTrue`: the zero value of its type is false; structs are always true. */
export function isTrue(value: unknown): boolean {
  if (isNil(value)) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n;
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

export function goTypeName(value: unknown): string {
  if (isNil(value)) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (Array.isArray(value)) return '[]interface {}';
  if (isMap(value)) return 'map[string]interface {}';
  const type = (value as object).constructor as { goType?: string; name?: string } | undefined;
  return type?.goType ?? type?.name ?? 'struct';
}

function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  const text = String(value);
  return text.includes('e') ? text.replace(/e([+-])(\d)$/, 'e$10$2') : text;
}

/** fmt's %v of a value (`top` distinguishes the template's `<no value>` from a nested `<nil>`). */
export function formatValue(value: unknown, top = false): string {
  if (isNil(value)) return top ? '<no value>' : '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  const stringer = goMethod(value, 'String');
  if (stringer) return String(stringer());
  if (value instanceof Error) return value.message;
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item)).join(' ')}]`;
  if (isMap(value)) return `map[${mapKeys(value).map((key) => `${key}:${formatValue(mapGet(value, key).value)}`).join(' ')}]`;
  return `{${Object.values(value).map((item) => formatValue(item)).join(' ')}}`;
}

function pad(text: string, width: number | undefined, left: boolean, zero: boolean): string {
  if (width === undefined || text.length >= width) return text;
  if (left) return text.padEnd(width);
  if (zero) {
    const sign = /^[+-]/.test(text) ? text[0] : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}

function goQuote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's fmt.Sprintf for the verbs templates use: %v %s %d %q %t %x %X %o %b %c %f %e %g %%, flags, width and precision. */
export function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  const out = format.replace(/%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g, (whole, flags: string, widthText?: string, precisionText?: string, verb?: string) => {
    if (verb === '%') return '%';
    const width = widthText === '*' ? Number(args[n++]) : widthText ? Number(widthText) : undefined;
    const precision = precisionText === '*' ? Number(args[n++]) : precisionText !== undefined ? Number(precisionText || 0) : undefined;
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[n++];
    const left = flags.includes('-');
    const zero = flags.includes('0') && !left;
    const plus = flags.includes('+');
    let text: string;
    switch (verb) {
      case 'v':
        text = plus && isMap(arg) ? formatValue(arg) : formatValue(arg);
        break;
      case 's':
        text = typeof arg === 'string' || goMethod(arg, 'String') || Array.isArray(arg) ? formatValue(arg) : `%!s(${goTypeName(arg)}=${formatValue(arg)})`;
        if (precision !== undefined) text = text.slice(0, precision);
        break;
      case 'q':
        text = typeof arg === 'number' ? `'${String.fromCodePoint(arg)}'` : goQuote(formatValue(arg));
        break;
      case 'd':
        text = typeof arg === 'number' && Number.isInteger(arg) ? `${plus && arg >= 0 ? '+' : ''}${arg}` : `%!d(${goTypeName(arg)}=${formatValue(arg)})`;
        break;
      case 't':
        text = typeof arg === 'boolean' ? String(arg) : `%!t(${goTypeName(arg)}=${formatValue(arg)})`;
        break;
      case 'x':
      case 'X': {
        const hex = typeof arg === 'number' ? Math.trunc(arg).toString(16) : Buffer.from(formatValue(arg)).toString('hex');
        text = (flags.includes('#') ? '0x' : '') + (verb === 'X' ? hex.toUpperCase() : hex);
        break;
      }
      case 'o':
        text = typeof arg === 'number' ? Math.trunc(arg).toString(8) : `%!o(${goTypeName(arg)}=${formatValue(arg)})`;
        break;
      case 'b':
        text = typeof arg === 'number' ? Math.trunc(arg).toString(2) : `%!b(${goTypeName(arg)}=${formatValue(arg)})`;
        break;
      case 'c':
        text = typeof arg === 'number' ? String.fromCodePoint(arg) : `%!c(${goTypeName(arg)}=${formatValue(arg)})`;
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'g': {
        if (typeof arg !== 'number') {
          text = `%!${verb}(${goTypeName(arg)}=${formatValue(arg)})`;
          break;
        }
        if (verb === 'e') text = arg.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
        else if (verb === 'g') text = precision === undefined ? formatNumber(arg) : String(Number(arg.toPrecision(precision)));
        else text = arg.toFixed(precision ?? 6);
        if (plus && arg >= 0) text = `+${text}`;
        break;
      }
      default:
        text = `%!${verb}(${goTypeName(arg)}=${formatValue(arg)})`;
    }
    return pad(text, width, left, zero && verb !== 's' && verb !== 'v' && verb !== 'q');
  });
  if (n < args.length) return `${out}%!(EXTRA ${args.slice(n).map((arg) => `${goTypeName(arg)}=${formatValue(arg)}`).join(', ')})`;
  return out;
}

/** Go's fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}
