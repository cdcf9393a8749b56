import { formatGoDuration } from '../../util/go-duration';
import type { VariableDecrypted, VariableLock } from '../structs/variable';

/** The lock on the wire: Go durations as their String() (`15s`), an unset one as "". */
export interface WireLock {
  TTL: string;
  LockDelay: string;
  ID: string;
}

export function wireLock(lock: VariableLock): WireLock {
  return {
    TTL: lock.TTLMs === 0 ? '' : formatGoDuration(lock.TTLMs),
    LockDelay: lock.LockDelayMs === 0 ? '' : formatGoDuration(lock.LockDelayMs),
    ID: lock.ID,
  };
}

/**
 * Go's JSON shape of a VariableMetadata or VariableDecrypted (Lock and Items omitted when empty).
 * What the caller may see (the lock, the items) is the service's decision: this shows what it is given.
 */
export function variableWire(variable: VariableDecrypted): Record<string, unknown> {
  const out: Record<string, unknown> = { Namespace: variable.Namespace, Path: variable.Path };
  if (variable.Lock) out.Lock = wireLock(variable.Lock);
  out.CreateIndex = variable.CreateIndex;
  out.CreateTime = variable.CreateTime;
  out.ModifyIndex = variable.ModifyIndex;
  out.ModifyTime = variable.ModifyTime;
  if (variable.Items && Object.keys(variable.Items).length > 0) out.Items = variable.Items;
  return out;
}
