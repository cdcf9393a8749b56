import type { Context } from 'hono';
import type { z } from 'zod';
import { badRequest } from './errors';

/**
 * Reads a Nomad request body whatever its Content-Type (Nomad's own clients send none) and
 * checks it against a zod schema, answering with Nomad's texts: an empty body is
 * `Request body is empty`, anything else that does not decode is a 400 with the reason.
 */
export async function nomadBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  if (text.trim() === '') throw badRequest('Request body is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badRequest((error as Error).message);
  }
  const parsed = schema.safeParse(withCanonicalKeys(json, schema));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`json: cannot decode request body: ${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Go decodes JSON field names case-insensitively, so Nomad takes `{"job": …}` for `{"Job": …}`;
 * top-level keys are renamed to the schema's spelling.
 */
function withCanonicalKeys(json: unknown, schema: z.ZodType): unknown {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape || typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const canonical = new Map(Object.keys(shape).map((key) => [key.toLowerCase(), key]));
  return Object.fromEntries(Object.entries(json).map(([key, value]) => [key in shape ? key : (canonical.get(key.toLowerCase()) ?? key), value]));
}

/** Like nomadBody, but an empty body is allowed and gives `fallback`. */
export async function optionalNomadBody<T extends z.ZodType>(c: Context, schema: T, fallback: z.infer<T>): Promise<z.infer<T>> {
  const text = await c.req.raw.clone().text();
  if (text.trim() === '') return fallback;
  return nomadBody(c, schema);
}
