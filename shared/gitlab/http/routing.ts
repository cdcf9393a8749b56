import { Hono, type Context, type Handler, type MiddlewareHandler } from 'hono';
import { createFactory } from 'hono/factory';
import { logUnexpectedError } from '../../http/unexpected-error';
import { GitLabError } from '../errors';

/**
 * GitLab's API under `/api/v4`. Routes are registered through `route()`, which also remembers
 * them so that a known path asked with another method answers Grape's 405 and an unknown path
 * Grape's 404 (see `gitlabNotFound`, called from the app's not-found handler). An endpoint is a
 * chain made with `handlers()`: its middleware (authentication, then params) and the handler,
 * which sees what the middleware set, typed.
 */
export const gitlab = new Hono();

const API_PREFIX = '/api/v4';

const known: { method: string; pattern: RegExp }[] = [];

function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

export const handlers = createFactory().createHandlers;

/** A chain of `handlers()`; each carries its own typed env and input. */
type Chain = readonly (Handler<any, any, any> | MiddlewareHandler<any, any, any>)[];

export function route(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, chain: Chain): void {
  const full = `${API_PREFIX}${path}`;
  known.push({ method, pattern: patternOf(full) });
  gitlab.on(method, full, ...(chain as [Handler]));
}

export function gitlabNotFound(c: Context): Response {
  const path = c.req.path;
  const methods = known.filter((entry) => entry.pattern.test(path)).map((entry) => entry.method);
  if (methods.length > 0 && !methods.includes(c.req.method)) {
    return c.json({ error: '405 Not Allowed' }, 405, { Allow: [...new Set([...methods, 'OPTIONS'])].join(', ') });
  }
  return c.json({ error: '404 Not Found' }, 404);
}

gitlab.use(`${API_PREFIX}/*`, async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'SAMEORIGIN');
  c.header('Cache-Control', c.res.headers.get('Cache-Control') ?? 'max-age=0, private, must-revalidate');
});

gitlab.onError((error, c) => {
  if (error instanceof GitLabError) return c.json(error.body, error.status, error.headers);
  logUnexpectedError(c, error);
  return c.json({ message: '500 Internal Server Error' }, 500);
});
