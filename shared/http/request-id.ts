import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';

/**
 * Every answer carries `X-Request-Id`, and whatever is logged about the request carries the same
 * id, so a caller who quotes it finds the log line. On Lambda it is API Gateway's request id (the
 * one in its access logs), else the invocation's; locally a fresh dashless UUID (CodeArts's shape).
 */
export const REQUEST_ID_HEADER = 'X-Request-Id';

export type RequestIdEnv = { Variables: { requestId: string } };

interface LambdaBindings {
  requestContext?: { requestId?: string };
  lambdaContext?: { awsRequestId?: string };
}

/** Requests handed on to another app (lazy-dialect.ts), with the id they already have. */
const handedOn = new WeakMap<Request, string>();

/** The request to hand on to another app, which will give it the same id. */
export function handOnRequest(c: Context): Request {
  handedOn.set(c.req.raw, requestIdOf(c));
  return c.req.raw;
}

function newRequestId(c: Context): string {
  const given = handedOn.get(c.req.raw);
  if (given) return given;
  const env = c.env as LambdaBindings | undefined;
  return env?.requestContext?.requestId || env?.lambdaContext?.awsRequestId || randomUUID().replace(/-/g, '');
}

/** The request's id, made on first use. */
export function requestIdOf(c: Context): string {
  const context = c as unknown as Context<RequestIdEnv>;
  let id = context.get('requestId');
  if (!id) {
    id = newRequestId(c);
    context.set('requestId', id);
  }
  return id;
}

export const requestId: MiddlewareHandler = async (c, next) => {
  const id = requestIdOf(c);
  await next();
  try {
    c.res.headers.set(REQUEST_ID_HEADER, id);
  } catch {
    // A response with immutable headers (one made by fetch or Response.redirect) is copied first.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(REQUEST_ID_HEADER, id);
  }
};
