import { parseGoDuration } from '../../util/go-duration';

/**
 * Nomad's Variables (nomad/structs/variables.go): the metadata every list shows, the decrypted
 * items, the lock, and the checks Nomad runs before a write, with its error texts. Pure.
 */
export type VariableItems = Record<string, string>;

/** A lock as kept: durations in milliseconds, and when the holder's TTL runs out. */
export interface VariableLock {
  ID: string;
  TTLMs: number;
  LockDelayMs: number;
}

export interface VariableMetadata {
  Namespace: string;
  Path: string;
  Lock?: VariableLock;
  CreateIndex: number;
  CreateTime: number;
  ModifyIndex: number;
  ModifyTime: number;
}

export interface VariableDecrypted extends VariableMetadata {
  Items?: VariableItems;
}

/** Items as stored: sealed by services/variable-keyring.ts. */
export interface SealedItems {
  /** Which root key wrapped the data key: the KMS key ID, or `local:<digest of the key file>`. */
  KeyID: string;
  /** The data key, wrapped by the root key (base64). */
  WrappedKey: string;
  /** 12-byte IV, 16-byte GCM tag, then the ciphertext of the items' JSON (base64). */
  Data: string;
}

export const MAX_VARIABLE_SIZE = 65536;
export const MIN_LOCK_TTL_MS = 10_000;
export const MAX_LOCK_TTL_MS = 24 * 3_600_000;
export const DEFAULT_LOCK_TTL_MS = 15_000;
export const DEFAULT_LOCK_DELAY_MS = 15_000;

const VALID_PATH = /^[a-zA-Z0-9\-_~/]{1,128}$/;

/** A lock duration as VariableLock.UnmarshalJSON reads it: a Go duration string, or nanoseconds. */
export function lockDuration(value: unknown, problem: (text: string) => Error): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number') return value / 1e6;
  if (typeof value === 'string') {
    const ms = parseGoDuration(value);
    if (ms === undefined) throw problem(`time: invalid duration ${JSON.stringify(value)}`);
    return ms;
  }
  return 0;
}

export function itemsSize(items: VariableItems | undefined): number {
  let size = 0;
  for (const [key, value] of Object.entries(items ?? {})) size += Buffer.byteLength(key) + Buffer.byteLength(value);
  return size;
}

/** structs.ValidatePath: Nomad's characters and length, and the reserved `nomad/` tree. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'variable requires path';
  if (!VALID_PATH.test(path)) return `invalid path ${JSON.stringify(path)}`;
  const parts = path.split('/');
  if (parts[0] !== 'nomad') return undefined;
  if (parts.length === 1) {
    return '"nomad" is a reserved top-level directory path, but you may write variables to "nomad/jobs", "nomad/job-templates", or below';
  }
  if (parts[1] === 'jobs') return undefined;
  if (parts[1] === 'job-templates' && parts.length === 3) return undefined;
  if (parts[1] === 'job-templates') {
    return '"nomad/job-templates" is a reserved directory path, but you may write variables at the level below it, for example, "nomad/job-templates/template-name"';
  }
  return 'only paths at "nomad/jobs" or "nomad/job-templates" and below are valid paths under the top-level "nomad" directory';
}

function lockProblem(lock: VariableLock): string | undefined {
  const problems: string[] = [];
  if (lock.LockDelayMs < 0 || lock.TTLMs < 0) problems.push('Lock delay and TTL must be positive');
  if (lock.TTLMs > MAX_LOCK_TTL_MS || lock.TTLMs < MIN_LOCK_TTL_MS) problems.push('TTL must be between 10 seconds and 24 hours');
  return problems.length === 0 ? undefined : multierror(problems);
}

/** go-multierror's text. */
export function multierror(problems: string[]): string {
  const noun = problems.length === 1 ? '1 error occurred' : `${problems.length} errors occurred`;
  return `${noun}:\n${problems.map((problem) => `\t* ${problem}`).join('\n')}\n\n`;
}

/** VariableDecrypted.Validate, for a set or a check-and-set. */
export function variableProblem(variable: VariableDecrypted): string | undefined {
  if (variable.Namespace === '*') return 'can not target wildcard ("*")namespace';
  if (!variable.Items || Object.keys(variable.Items).length === 0) return 'empty variables are invalid';
  if (itemsSize(variable.Items) > MAX_VARIABLE_SIZE) return 'variables are limited to 64KiB in total size';
  const path = pathProblem(variable.Path);
  if (path) return path;
  return variable.Lock ? lockProblem(variable.Lock) : undefined;
}

/** VariableDecrypted.ValidateForLock: a lock may be taken on a variable without items. */
export function lockedVariableProblem(variable: VariableDecrypted & { Lock: VariableLock }): string | undefined {
  if (variable.Namespace === '*') return multierror(['can not target wildcard ("*")namespace']);
  if (itemsSize(variable.Items) > MAX_VARIABLE_SIZE) return 'variables are limited to 64KiB in total size';
  return pathProblem(variable.Path) ?? lockProblem(variable.Lock);
}

/** VariableLock.Canonicalize: a new ID when none is given, default TTL and delay. */
export function canonicalLock(lock: Partial<VariableLock> | undefined, newId: () => string): VariableLock {
  return {
    ID: lock?.ID || newId(),
    TTLMs: lock?.TTLMs || DEFAULT_LOCK_TTL_MS,
    LockDelayMs: lock?.LockDelayMs || DEFAULT_LOCK_DELAY_MS,
  };
}

/**
 * Nomad's server holds a lock until its TTL runs out unrenewed, then keeps it for the lock delay
 * before removing it. Here the holder's deadline is kept with the lock, and a lock past
 * `TTL + delay` counts as removed.
 */
export interface HeldLock extends VariableLock {
  /** Unix ms when the holder's TTL runs out (moved on by each renewal). */
  expiresAt: number;
}

export function lockHeld(lock: HeldLock | undefined, now: number): boolean {
  return !!lock && now < lock.expiresAt + lock.LockDelayMs;
}

export function lockRenewable(lock: HeldLock, now: number): boolean {
  return now < lock.expiresAt;
}
