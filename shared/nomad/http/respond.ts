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

export function nomadJson(c: Context, body: unknown): Response {
  const pretty = c.req.query('pretty');
  const text = pretty !== undefined && pretty !== 'false' ? JSON.stringify(body, null, 4) : JSON.stringify(body);
  return c.body(text, 200, { 'Content-Type': 'application/json' });
}
