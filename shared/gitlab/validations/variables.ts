/**
 * GitLab's variable rules (`Ci::HasVariable`): a key of at most 255 letters, digits and `_`. GitLab
 * leaves pipeline variable values unbounded; ours stop at 10,000 characters each and 64 KiB in all,
 * as they are stored with the pipeline (see the README). The messages are the model's full
 * messages, as pipeline creation reports a failed save.
 */
const KEY_PATTERN = /^[a-zA-Z0-9_]+$/;
export const MAX_VALUE_LENGTH = 10_000;
const MAX_TOTAL_BYTES = 64 * 1024;

export function variableErrors(variables: readonly { key: string; value: string }[]): string[] {
  const errors = new Set<string>();
  for (const { key, value } of variables) {
    if (key === '') errors.add("Variables key can't be blank");
    else if (key.length > 255) errors.add('Variables key is too long (maximum is 255 characters)');
    else if (!KEY_PATTERN.test(key)) errors.add("Variables key can contain only letters, digits and '_'.");
    if ([...value].length > MAX_VALUE_LENGTH) errors.add(`Variables value is too long (maximum is ${MAX_VALUE_LENGTH} characters)`);
  }
  const total = variables.reduce((sum, { key, value }) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
  if (total > MAX_TOTAL_BYTES) errors.add(`Variables are too large (maximum is ${MAX_TOTAL_BYTES} bytes in all)`);
  return [...errors];
}
