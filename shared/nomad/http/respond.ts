import type { Context } from 'hono';

/**
 * Nomad's response conventions: JSON bodies (indented with `?pretty`), the index of the data in
 * `X-Nomad-Index`, and the leader headers a single-region control plane always answers the same.
 */
export function setIndex(c: Context, index: number): void {
  c.header('X-Nomad-Index', String(index));
}

export function setQueryMeta(c: Context, index: number): void {
  setIndex(c, index);
  c.header('X-Nomad-KnownLeader', 'true');
  c.header('X-Nomad-LastContact', '0');
}

function pretty(c: Context): boolean {
  const value = c.req.query('pretty');
  return value !== undefined && value !== 'false';
}

export function nomadJson(c: Context, body: unknown): Response {
  return c.body(pretty(c) ? JSON.stringify(body, null, 4) : JSON.stringify(body), 200, { 'Content-Type': 'application/json' });
}

/** A body already written as JSON text (compact), sent as it is unless `?pretty` asks for it indented. */
export function nomadJsonText(c: Context, json: string): Response {
  return c.body(pretty(c) ? JSON.stringify(JSON.parse(json), null, 4) : json, 200, { 'Content-Type': 'application/json' });
}
