/**
 * The size of an item as DynamoDB meters it (its write and read units, its index entries): each
 * attribute's name plus its value, a string by its UTF-8 bytes, a number by about one byte per
 * two significant digits plus one, null and booleans one byte, a map or list 3 bytes plus one per
 * element (a map's element also by its key). AWS documents the rules, not the code; this follows
 * them to the byte as far as they say.
 */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + Buffer.byteLength(name) + valueSize(value)), 0);
}

function numberSize(value: number): number {
  const digits = Math.abs(value).toExponential().replace(/e.*$/, '').replace('.', '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + valueSize(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((sum, [key, element]) => (element === undefined ? sum : sum + 1 + Buffer.byteLength(key) + valueSize(element)), 0);
  }
  return 0;
}
