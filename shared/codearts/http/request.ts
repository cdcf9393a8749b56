import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { validator } from 'hono/validator';
import { jsonExtent } from '../../util/json-extent';
import * as z from '../../util/zod';
import { authenticate, type Caller } from '../auth/caller';
import { invalidParameter, invalidTaskId, type CodeArtsError } from '../errors';
import { VARIABLE_NAME } from '../pipeline/steps-to-ci';

/**
 * The edge of every CodeArts call, as middleware in this order: the caller from `X-Auth-Token`
 * (the gateway's check, so it comes before anything else), then the path, query and body, each
 * checked with its zod schema. Bad input is a 400, never a 500: a bad `job_id` is CB.00060201
 * whatever else is wrong, anything else CB.00060200.
 */
const MAX_BUILD_NO = 2_147_483_647;
const MAX_BODY_BYTES = 256 * 1024;

/** The caller, as `c.var.caller`. */
export const authenticated = createMiddleware<{ Variables: { caller: Caller } }>(async (c, next) => {
  c.set('caller', await authenticate(c.req.header('X-Auth-Token')));
  await next();
});

/** Zod's issues in CodeArts's words. */
function codeartsError(issues: readonly z.core.$ZodIssue[]): CodeArtsError {
  return issues.some((issue) => issue.path[0] === 'job_id') ? invalidTaskId() : invalidParameter();
}

function check<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw codeartsError(parsed.error.issues);
  return parsed.data;
}

/** Path params (`:job_id`): `c.req.valid('param')`. */
export function pathParams<T extends z.core.$ZodLooseShape>(shape: T) {
  const schema = z.object(shape);
  return validator('param', (value) => check(schema, value));
}

/** The query, each param's first value as CodeArts takes it: `c.req.valid('query')`. */
export function queryParams<T extends z.ZodType>(schema: T) {
  return validator('query', (_all, c) => check(schema, c.req.query()));
}

/**
 * The body, a JSON object whatever the Content-Type: `c.var.body`. Hono's `json` target reads
 * only bodies declared JSON and answers a malformed one itself, so this is a middleware of its own.
 */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return createMiddleware<{ Variables: { body: z.infer<T> } }>(async (c, next) => {
    c.set('body', check(schema, await jsonObject(c)));
    await next();
  });
}

/** The body as a JSON object: empty, not JSON, or anything but an object is "Invalid parameter." */
async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '' || Buffer.byteLength(text) > MAX_BODY_BYTES) throw invalidParameter();
  let value: unknown;
  // A lone surrogate (`"\ud800"`) is no UTF-8 text: it could not be stored or passed on as such.
  let malformed = false;
  try {
    value = JSON.parse(text, (key, item: unknown) => {
      if (/\p{Cs}/u.test(key) || (typeof item === 'string' && /\p{Cs}/u.test(item))) malformed = true;
      return item;
    });
  } catch {
    throw invalidParameter();
  }
  if (malformed) throw invalidParameter();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter();
  return value as Record<string, unknown>;
}

export const jobIdSchema = z.string().regex(/^[0-9a-z]{32}$/);

/**
 * A build number: digits without a leading zero (or, as one of Huawei's examples sends it, a JSON
 * integer) from 1 to 2147483647. `"01"` names no build: it is refused, not read as build 1.
 */
export const buildNoSchema = z
  .union([z.string().regex(/^[1-9]\d{0,9}$/).transform(Number), z.number().int()])
  .pipe(z.number().min(1).max(MAX_BUILD_NO));

const text = z.string().refine((value) => value.trim() !== '');

/**
 * The nesting a task's definition may have (ours). It is kept as sent (as JSON text, so the table's
 * own nesting limit does not apply), but a step's properties are written out into its CI script,
 * which deeper JSON would make fail.
 */
const MAX_DEFINITION_DEPTH = 100;

/** Create: the four required fields, well typed, and at least one step; everything else is kept as sent. */
export const createTaskSchema = z
  .looseObject({
    arch: text,
    project_id: text,
    job_name: text.pipe(z.string().max(115)),
    steps: z.array(z.looseObject({ module_id: text, name: text })).min(1),
  })
  .refine((body) => jsonExtent(body, { depth: MAX_DEFINITION_DEPTH, values: Infinity }).depth <= MAX_DEFINITION_DEPTH);

/**
 * What a run may carry (ours): its parameters become the pipeline's variables, which are stored
 * with it, so each value is at most 10,000 characters and all of them at most 48 KiB.
 */
const MAX_PARAMETER_BYTES = 48 * 1024;
const parameterBytes = (parameters: readonly { name: string; value: string }[]) => parameters.reduce((sum, { name, value }) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);

/** Run: `parameter` items need a name (a variable name) and a value; `scm` may name a tag and a commit. */
export const runSchema = z.looseObject({
  job_id: jobIdSchema,
  parameter: z
    .array(z.object({ name: z.string().regex(VARIABLE_NAME), value: z.string().max(10_000) }))
    .max(200)
    .refine((parameters) => parameterBytes(parameters) <= MAX_PARAMETER_BYTES)
    .nullish(),
  scm: z.looseObject({ build_tag: z.string().max(255).nullish(), build_commit_id: z.string().max(255).nullish() }).nullish(),
});

function queryInteger(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,10}$/)
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .optional()
    .transform((value) => value ?? fallback);
}

/** Stop: the task and the build. */
export const stopSchema = z.looseObject({ job_id: jobIdSchema, build_no: buildNoSchema });

/** History: `offset` is a page number, `limit` at most 100, `interval` days back, at most 30. */
export const historySchema = z.object({
  offset: queryInteger(0, MAX_BUILD_NO, 0),
  limit: queryInteger(1, 100, 10),
  interval: queryInteger(1, 30, 7),
});
