import type { Context, ErrorHandler, Hono, MiddlewareHandler } from 'hono';
import { createFactory } from 'hono/factory';
import type { BlankEnv, BlankSchema } from 'hono/types';
import { logUnexpectedError } from '../../http/unexpected-error';
import { GitLabError } from '../errors';

/**
 * The parts of GitLab's API under `/api/v4` that every route module shares. An endpoint is a
 * chain made with `handlers()`: its middleware (authentication, then params) and the handler,
 * which sees what the middleware set, typed. Each route module exports a `mount…Routes(api)`
 * that router.ts calls on the app's `/api/v4` base path.
 */
export const API_PREFIX = '/api/v4';

/** The GitLab app seen from `/api/v4`: route modules write paths as GitLab's API docs do. */
export type GitLabApi = Hono<BlankEnv, BlankSchema, typeof API_PREFIX>;

export const handlers = createFactory().createHandlers;

export const grapeHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'SAMEORIGIN');
  c.header('Cache-Control', c.res.headers.get('Cache-Control') ?? 'max-age=0, private, must-revalidate');
};

export const gitlabErrorResponse: ErrorHandler = (error, c) => {
  if (error instanceof GitLabError) return c.json(error.body, error.status, error.headers);
  logUnexpectedError(c, error);
  return c.json({ message: '500 Internal Server Error' }, 500);
};

function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Grape's answer to a path no endpoint took: 405 with `Allow` when the path is an endpoint's
 * asked with another method, else 404. The endpoints are read from the composed app's routes
 * (middleware is registered for every method, `ALL`, and is not an endpoint; a chain of handlers
 * is one route per handler).
 */
export function grapeNotFound(app: Hono<any, any, any>): (c: Context) => Response {
  let known: { method: string; pattern: RegExp }[] | undefined;
  return (c) => {
    known ??= [...new Map(app.routes
      .filter((entry) => entry.method !== 'ALL' && entry.path.startsWith(`${API_PREFIX}/`))
      .map((entry) => [`${entry.method} ${entry.path}`, { method: entry.method, pattern: patternOf(entry.path) }])).values()];
    const path = c.req.path;
    const methods = known.filter((entry) => entry.pattern.test(path)).map((entry) => entry.method);
    if (methods.length > 0 && !methods.includes(c.req.method)) {
      return c.json({ error: '405 Not Allowed' }, 405, { Allow: [...new Set([...methods, 'OPTIONS'])].join(', ') });
    }
    return c.json({ error: '404 Not Found' }, 404);
  };
}
