import type { Context } from 'hono';
import type { z } from 'zod';
import { typeProblem, type GoInteger } from '../jobspec/field-types';
import { badRequest } from '../errors';

/**
 * The Go struct Nomad decodes a body into, and the Go types of its integer fields, so that a
 * fraction, a number out of range or a value of another kind fails with the decoder's text,
 * e.g. `json: cannot unmarshal number 1.5 into Go struct field ScalingRequest.Count of type int64`.
 */
export interface GoStruct {
  name: string;
  integers: Record<string, GoInteger>;
}

/** Go's decoder error for the first badly typed integer field, in document order. */
function integerProblem(json: unknown, struct: GoStruct): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  for (const [field, value] of Object.entries(json)) {
    const type = struct.integers[field];
    const problem = type && typeProblem(value, type);
    if (problem) return `json: cannot unmarshal ${problem} into Go struct field ${struct.name}.${field} of type ${type}`;
  }
  return undefined;
}

/**
 * Reads a Nomad request body whatever its Content-Type (Nomad's own clients send none) and
 * checks it against a zod schema, answering with Nomad's texts: an empty body is
 * `Request body is empty`, anything else that does not decode is a 400 with the reason.
 */
export async function nomadBody<T extends z.ZodType>(c: Context, schema: T, struct?: GoStruct): Promise<z.infer<T>> {
  const text = await c.req.text();
  if (text.trim() === '') throw badRequest('Request body is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badRequest((error as Error).message);
  }
  const canonical = withCanonicalKeys(json, schema);
  const integer = struct && integerProblem(canonical, struct);
  if (integer) throw badRequest(integer);
  const parsed = schema.safeParse(canonical);
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
export async function optionalNomadBody<T extends z.ZodType>(c: Context, schema: T, fallback: z.infer<T>, struct?: GoStruct): Promise<z.infer<T>> {
  const text = await c.req.raw.clone().text();
  if (text.trim() === '') return fallback;
  return nomadBody(c, schema, struct);
}
