/**
 * DynamoDB refuses a sort-key value in a key condition longer than 1,024 bytes (or not valid
 * Unicode). No stored sort key is like that, so a condition on one matches nothing: callers
 * answer an empty result instead of asking. Pure.
 */
const MAX_SORT_KEY_BYTES = 1024;

export function beyondSortKeys(value: string | undefined): boolean {
  return value !== undefined && (Buffer.byteLength(value) > MAX_SORT_KEY_BYTES || /\p{Cs}/u.test(value));
}
