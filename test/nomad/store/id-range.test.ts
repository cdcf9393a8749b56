import { describe, expect, it } from 'vitest';
import { idCondition, prefixEnd } from '../../../shared/nomad/store/id-range';

describe('the sort-key range of a prefixed, paged job list', () => {
  it('ends a prefix at its last code point raised by one', () => {
    expect(prefixEnd('ab')).toBe('ac');
    expect(prefixEnd('a\ud7ff')).toBe('a\ue000');
    expect(prefixEnd('a\u{10ffff}')).toBe('b');
    expect(prefixEnd('\u{10ffff}\u{10ffff}')).toBeUndefined();
    expect(prefixEnd('a😀')).toBe('a😁');
  });

  it('makes prefix and start one key condition', () => {
    expect(idCondition(undefined, undefined, false)).toEqual({ kind: 'all' });
    expect(idCondition('a', undefined, true)).toEqual({ kind: 'begins', prefix: 'a' });
    expect(idCondition(undefined, 'b', false)).toEqual({ kind: 'from', value: 'b' });
    expect(idCondition(undefined, 'b', true)).toEqual({ kind: 'upTo', value: 'b' });
    expect(idCondition('a', 'a2', false)).toEqual({ kind: 'between', low: 'a2', high: 'b' });
    expect(idCondition('a2', 'a', false)).toEqual({ kind: 'between', low: 'a2', high: 'a3' });
    expect(idCondition('a', 'c', false)).toEqual({ kind: 'none' });
    expect(idCondition('a', 'a2', true)).toEqual({ kind: 'between', low: 'a', high: 'a2' });
    expect(idCondition('a', 'z', true)).toEqual({ kind: 'between', low: 'a', high: 'b' });
    expect(idCondition('b', 'a', true)).toEqual({ kind: 'none' });
  });

  it('orders as DynamoDB does, by UTF-8 bytes', () => {
    // U+FF5E sorts before U+1F600 in UTF-8 but after it in UTF-16 code units.
    expect(idCondition('a', 'a\uff5e', false)).toEqual({ kind: 'between', low: 'a\uff5e', high: 'b' });
    expect(idCondition('a😀', 'a\uff5e', false)).toEqual({ kind: 'between', low: 'a😀', high: 'a😁' });
  });
});
