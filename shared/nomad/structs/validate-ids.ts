/**
 * What an identifier or a name must be to be stored and queued: beyond Nomad's own rules (no NUL,
 * no space in job IDs), valid Unicode (a lone surrogate has no UTF-8 form for DynamoDB), none of
 * the control characters SQS refuses in a message (a job's ID travels in its evaluations), and a
 * bound on length that keeps every key built from it under DynamoDB's 1 KiB sort-key limit. Pure.
 */

/** Longest job ID or name we take, in UTF-8 bytes (Nomad has no bound; DynamoDB keys do). */
export const MAX_ID_BYTES = 512;

/** Room left for what the server appends to a parent's ID (`/periodic-<unix>`, `/dispatch-<unix>-<hex>`). */
export const CHILD_ID_ALLOWANCE = 64;

/** Characters SQS refuses in a message body (besides lone surrogates): C0 controls but tab, LF and CR; U+FFFE and U+FFFF. */
const UNQUEUEABLE = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why `value` cannot be the `label` (e.g. `Job ID`) of a stored object, in Nomad's style of
 * words, or undefined when it can. Emptiness and Nomad's own checks are left to the caller.
 */
export function storableProblem(label: string, value: string, maxBytes = MAX_ID_BYTES): string | undefined {
  if (LONE_SURROGATE.test(value)) return `${label} is not valid UTF-8`;
  if (UNQUEUEABLE.test(value)) return `${label} contains a control character`;
  const bytes = Buffer.byteLength(value);
  if (bytes > maxBytes) return `${label} is ${bytes} bytes long; at most ${maxBytes} are allowed`;
  return undefined;
}

/** Whether `id` could name a stored job at all (a lookup by anything else finds nothing). */
export function isPossibleJobId(id: string): boolean {
  return storableProblem('', id, MAX_ID_BYTES + CHILD_ID_ALLOWANCE) === undefined;
}

