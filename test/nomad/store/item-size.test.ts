import { describe, expect, it } from 'vitest';
import { itemSize } from '../../../shared/storage/item-size';

/** DynamoDB's item size rules, as the cost arithmetic of docs/scale.md applies them. */
describe('itemSize', () => {
  it('counts names and string bytes, one byte for null and booleans', () => {
    expect(itemSize({ PK: 'JOB#a', ok: true, none: null })).toBe(2 + 5 + 2 + 1 + 4 + 1);
    expect(itemSize({ s: 'é' })).toBe(1 + 2);
  });

  it('counts a number by its significant digits, two a byte, plus one', () => {
    expect(itemSize({ n: 12345 })).toBe(1 + 3 + 1);
    expect(itemSize({ n: 1_000_000 })).toBe(1 + 1 + 1);
    expect(itemSize({ n: 0.020736773430018316 })).toBe(1 + 9 + 1);
  });

  it('counts 3 bytes for a map or list and one per element, a map element by its key too', () => {
    expect(itemSize({ l: [1, 'ab'] })).toBe(1 + 3 + (1 + 2) + (1 + 2));
    expect(itemSize({ m: { key: null } })).toBe(1 + 3 + (1 + 3 + 1));
    expect(itemSize({ m: {}, gone: undefined })).toBe(1 + 3);
  });
});
