/**
 * go-memdb compares UUIDs as bytes, decoded from hex with the hyphens taken out: a prefix with
 * or without hyphens, in either case, finds the same IDs. This puts the hex of a prefix back in
 * the form our IDs are stored in (lower case, hyphens after 8, 12, 16 and 20 digits). Pure.
 */
export function uuidForm(hex: string): string {
  const digits = hex.replaceAll('-', '').toLowerCase();
  const cuts = [8, 12, 16, 20].filter((at) => at < digits.length);
  return [0, ...cuts].map((start, i) => digits.slice(start, cuts[i])).join('-');
}
