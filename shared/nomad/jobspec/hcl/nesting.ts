import { MAX_NESTING_DEPTH } from '../../../util/json-depth';

/**
 * How deeply an HCL source nests blocks, collections and parentheses, found before the reader
 * (which recurses once per level) sees it. Quoted strings and comments do not count. Answers the
 * offset of the first bracket past `maxDepth`, or undefined. Pure.
 */
export function hclTooDeep(source: string, maxDepth = MAX_NESTING_DEPTH): number | undefined {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '"') {
      for (i++; i < source.length && source[i] !== '"' && source[i] !== '\n'; i++) if (source[i] === '\\') i++;
    } else if (char === '#' || source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 1;
    } else if (char === '{' || char === '[' || char === '(') {
      if (++depth > maxDepth) return i;
    } else if (char === '}' || char === ']' || char === ')') {
      depth--;
    }
  }
  return undefined;
}
