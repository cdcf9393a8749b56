import type { Context } from 'hono';
import { badRequest } from '../errors';

/** Query parameters shared by Nomad endpoints, parsed as Nomad's HTTP agent parses them. */
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool: undefined for text it refuses. */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

/** strconv.ParseBool of a query parameter; a bare `?flag` counts as true, as Nomad treats it. */
export function boolParam(c: Context, name: string): boolean {
  const value = c.req.query(name);
  if (value === undefined) return false;
  const parsed = value === '' ? true : parseGoBool(value);
  if (parsed !== undefined) return parsed;
  throw badRequest(`Failed to parse value of "${name}" (${value}) as a bool: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

export function namespaceParam(c: Context): string {
  return c.req.query('namespace') || 'default';
}

/** strconv.ParseInt(per_page, 10, 32), as Nomad parses it: anything else, or beyond int32, is a 400. Zero or less pages nothing. */
export function perPageParam(c: Context): number {
  const value = c.req.query('per_page');
  if (value === undefined || value === '') return 0;
  const perPage = /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(perPage >= -(2 ** 31) && perPage < 2 ** 31)) throw badRequest('Expect a number for `per_page` query string parameter');
  return Math.max(perPage, 0);
}

/** `eval_priority` on DELETE: 1..100 when given. */
export function evalPriorityParam(c: Context): number {
  const value = c.req.query('eval_priority');
  if (value === undefined || value === '') return 0;
  const priority = Number(value);
  if (!Number.isInteger(priority)) throw badRequest(`Failed to parse value of "eval_priority" (${value}) as an int`);
  if (priority < 1 || priority > 100) throw badRequest('Eval priority must be between 1 and 100 inclusively');
  return priority;
}
