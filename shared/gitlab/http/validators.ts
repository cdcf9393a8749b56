import { createMiddleware } from 'hono/factory';
import { validator } from 'hono/validator';
import * as z from '../../util/zod';
import { checkParams, pathInteger } from './grape';
import { rackParams, rackQuery } from './rack-params';

/**
 * An endpoint's declared params, checked before it runs, as Grape checks them after its `before`
 * filters: put these after `authenticated`, since GitLab answers 401 before it looks at params.
 * Each answers Grape's 400 on its own, so path faults come alone, as they always have here.
 */

/** Path params (`:job_id`): `c.req.valid('param')`. */
export function pathParams<T extends z.core.$ZodLooseShape>(shape: T) {
  const schema = z.object(shape);
  return validator('param', (value) => checkParams(schema, value));
}

/** The query: `c.req.valid('query')`. Hono's own reading of it is flat (`scope[]` is a key), so it is read again in Rack's nesting. */
export function queryParams<T extends z.ZodType>(schema: T) {
  return validator('query', (_flat, c) => checkParams(schema, rackQuery(c)));
}

/**
 * Grape's params of a write, the query and the body (JSON, form or multipart) over it:
 * `c.var.params`. Hono's validator has no target for query and body together. `headers` names
 * params that may come as a header instead (`{ token: 'JOB-TOKEN' }`); the header wins.
 */
export function params<T extends z.ZodType>(schema: T, headers: Record<string, string> = {}) {
  return createMiddleware<{ Variables: { params: z.infer<T> } }>(async (c, next) => {
    const raw = await rackParams(c);
    for (const [param, header] of Object.entries(headers)) raw[param] = c.req.header(header) ?? raw[param];
    c.set('params', checkParams(schema, raw));
    await next();
  });
}

/** A project's job, `/projects/:id/jobs/:job_id`. */
export const jobIdPath = pathParams({ job_id: pathInteger() });

/** The runner's job, `/jobs/:id`. */
export const runnerJobPath = pathParams({ id: pathInteger() });
