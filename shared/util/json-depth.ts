/**
 * Bounds on how deeply a request may nest, checked before anything recursive (a parser, zod, a
 * canonicaliser, a diff) walks it: a body nested thousands deep would otherwise end in a stack
 * overflow. Every dialect uses the same bound; the edge applies it to JSON bodies, and parsers of
 * other formats (YAML, HCL, filters) can apply it to what they build. Pure.
 */
export const MAX_NESTING_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x7b, 0x5b]); // { [
const CLOSERS = new Set([0x7d, 0x5d]); // } ]

/**
 * Scans JSON text (as UTF-8 bytes or a string) without parsing it and answers the bracket (`{` or
 * `[`) that first goes deeper than `maxDepth`, or undefined when none does. Brackets inside
 * strings do not count; malformed text is left for the parser to refuse.
 */
export function jsonTooDeep(text: Uint8Array | string, maxDepth = MAX_NESTING_DEPTH): '{' | '[' | undefined {
  const at = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = at(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (OPENERS.has(code)) {
      if (++depth > maxDepth) return code === 0x7b ? '{' : '[';
    } else if (CLOSERS.has(code)) {
      depth--;
    }
  }
  return undefined;
}

/**
 * Whether a value already built (from YAML, a form, HCL) nests objects or arrays deeper than
 * `maxDepth`. Walks without recursion, so it is safe on any value; an object reached by several
 * paths (YAML aliases) is walked again only when reached deeper, so aliases cannot make it slow.
 */
export function valueTooDeep(value: unknown, maxDepth = MAX_NESTING_DEPTH): boolean {
  const deepest = new Map<object, number>();
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) return true;
    if ((deepest.get(current) ?? 0) >= depth) continue;
    deepest.set(current, depth);
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
