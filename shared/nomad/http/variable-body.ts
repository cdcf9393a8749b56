import type { Context } from 'hono';
import { lockDuration, type VariableItems, type VariableLock } from '../structs/variable';
import { badRequest } from '../errors';

/**
 * A Variable request body (VariableDecrypted) as Go's decoder reads it: field names matched
 * case-insensitively, Items a map of strings, the Lock's durations as Go duration strings or
 * nanoseconds; what does not decode is a 400 with the decoder's text.
 */
export interface VariableBody {
  Namespace?: string;
  Path?: string;
  Items?: VariableItems;
  Lock?: VariableLock;
}

const GO_KINDS: Record<string, string> = { number: 'number', boolean: 'bool', object: 'object', string: 'string' };

function goKind(value: unknown): string {
  return Array.isArray(value) ? 'array' : (GO_KINDS[typeof value] ?? 'value');
}

function field(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function stringField(object: Record<string, unknown>, name: string, struct: string): string | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`json: cannot unmarshal ${goKind(value)} into Go struct field ${struct}.${name} of type string`);
  return value;
}

function items(value: unknown): VariableItems | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`json: cannot unmarshal ${goKind(value)} into Go struct field VariableDecrypted.Items of type structs.VariableItems`);
  }
  for (const entry of Object.values(value)) {
    if (typeof entry !== 'string') throw badRequest(`json: cannot unmarshal ${goKind(entry)} into Go struct field VariableDecrypted.Items of type string`);
  }
  return value as VariableItems;
}

function lock(value: unknown): VariableLock | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`json: cannot unmarshal ${goKind(value)} into Go value of type structs.VariableLock`);
  }
  const object = value as Record<string, unknown>;
  return {
    ID: stringField(object, 'ID', 'VariableLock') ?? '',
    TTLMs: lockDuration(field(object, 'TTL'), badRequest),
    LockDelayMs: lockDuration(field(object, 'LockDelay'), badRequest),
  };
}

export async function variableBody(c: Context): Promise<VariableBody> {
  const text = await c.req.text();
  if (text === '') throw badRequest('Request body is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badRequest(text.trim() === '' ? 'EOF' : (error as Error).message);
  }
  if (json === null) return {};
  if (typeof json !== 'object' || Array.isArray(json)) {
    throw badRequest(`json: cannot unmarshal ${goKind(json)} into Go value of type structs.VariableDecrypted`);
  }
  const object = json as Record<string, unknown>;
  return {
    Namespace: stringField(object, 'Namespace', 'VariableDecrypted'),
    Path: stringField(object, 'Path', 'VariableDecrypted'),
    Items: items(field(object, 'Items')),
    Lock: lock(field(object, 'Lock')),
  };
}
