import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

/**
 * The route pattern that answered a request (`/v1/job/:job_id`), for its log line and its
 * Requests metric. A lazily loaded dialect routes in an app of its own (lazy-dialect.ts), where
 * the mounting app sees only its catch-all; that app records the pattern of the handler that
 * answered, on the request both apps share.
 */
const answered = new WeakMap<Request, string>();

export const recordMatchedRoute: MiddlewareHandler = async (c, next) => {
  await next();
  // After the chain, the route index is the last handler that ran: the one that answered.
  answered.set(c.req.raw, routePath(c));
};

export function matchedRoute(c: Context): string {
  return answered.get(c.req.raw) ?? routePath(c, -1);
}
