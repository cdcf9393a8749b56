import type { Context } from 'hono';
import * as z from '../../util/zod';
import { authenticate, type Caller } from '../auth/caller';
import { invalidParameter, invalidTaskId, type CodeArtsError } from '../errors';
import { VARIABLE_NAME } from '../pipeline/steps-to-ci';

/**
 * The edge of every CodeArts call: the caller from `X-Auth-Token` (the gateway's check, so it
 * comes before anything else), then the body and parameters, checked with zod in Huawei's order
 * (`job_id` first, CB.00060201; anything else CB.00060200). Bad input is a 400, never a 500.
 */
export const MAX_BUILD_NO = 2_147_483_647;
const MAX_BODY_BYTES = 256 * 1024;

export function caller(c: Context): Promise<Caller> {
  return authenticate(c.req.header('X-Auth-Token'));
}

/** The body as a JSON object: empty, not JSON, or anything but an object is "Invalid parameter." */
export async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '' || Buffer.byteLength(text) > MAX_BODY_BYTES) throw invalidParameter();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidParameter();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter();
  return value as Record<string, unknown>;
}

export function check<T extends z.ZodType>(schema: T, value: unknown, error: () => CodeArtsError): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw error();
  return parsed.data;
}

export const jobIdSchema = z.string().regex(/^[0-9a-z]{32}$/);

/** A build number: digits (or, as one of Huawei's examples sends it, a JSON integer) from 1 to 2147483647. */
export const buildNoSchema = z
  .union([z.string().regex(/^\d{1,10}$/).transform(Number), z.number().int()])
  .pipe(z.number().min(1).max(MAX_BUILD_NO));

export function jobIdOf(value: unknown): string {
  return check(jobIdSchema, value, invalidTaskId);
}

export function buildNoOf(value: unknown): number {
  return check(buildNoSchema, value, invalidParameter);
}

const text = z.string().refine((value) => value.trim() !== '');

/** Create: the four required fields, well typed; everything else is kept as sent. */
export const createTaskSchema = z.looseObject({
  arch: text,
  project_id: text,
  job_name: text.pipe(z.string().max(115)),
  steps: z.array(z.looseObject({ module_id: text, name: text })),
});

/** Run: `parameter` items need a name (a variable name) and a value; `scm` may name a tag and a commit. */
export const runSchema = z.looseObject({
  parameter: z.array(z.object({ name: z.string().regex(VARIABLE_NAME), value: z.string() })).max(200).nullish(),
  scm: z.looseObject({ build_tag: z.string().nullish(), build_commit_id: z.string().nullish() }).nullish(),
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

/** History: `offset` is a page number, `limit` at most 100, `interval` days back, at most 30. */
export const historySchema = z.object({
  offset: queryInteger(0, MAX_BUILD_NO, 0),
  limit: queryInteger(1, 100, 10),
  interval: queryInteger(1, 30, 7),
});
