/**
 * The sort-key condition that pages a list index (job IDs, allocation and evaluation IDs or
 * creation order) by prefix and start together: DynamoDB allows one condition on the sort key and no filter on a key
 * attribute, so `begins_with` and `>= start` become one `BETWEEN`. DynamoDB orders strings by
 * their UTF-8 bytes, and so does this. Pure.
 */
export type IdCondition =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'begins'; prefix: string }
  | { kind: 'from'; value: string }
  | { kind: 'upTo'; value: string }
  | { kind: 'between'; low: string; high: string };

export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The least string greater than every string that starts with `prefix` (the prefix with its last
 * code point raised by one), or undefined when there is none (a prefix of U+10FFFF only).
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

/** Sort keys starting with `prefix`, from `startAt` on (inclusive; downwards when `reverse`). */
export function idCondition(prefix: string | undefined, startAt: string | undefined, reverse: boolean): IdCondition {
  if (startAt === undefined) return prefix ? { kind: 'begins', prefix } : { kind: 'all' };
  if (!prefix) return reverse ? { kind: 'upTo', value: startAt } : { kind: 'from', value: startAt };
  const end = prefixEnd(prefix);
  if (reverse) {
    // The end itself does not start with the prefix; taking it in the range is harmless, as callers check the prefix.
    const high = end !== undefined && compareUtf8(end, startAt) < 0 ? end : startAt;
    return compareUtf8(prefix, high) <= 0 ? { kind: 'between', low: prefix, high } : { kind: 'none' };
  }
  const low = compareUtf8(startAt, prefix) > 0 ? startAt : prefix;
  if (end === undefined) return { kind: 'from', value: low };
  return compareUtf8(low, end) <= 0 ? { kind: 'between', low, high: end } : { kind: 'none' };
}
