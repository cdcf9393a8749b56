import { Hono, type Context, type ErrorHandler, type Handler, type NotFoundHandler } from 'hono';
import { handOnRequest, requestIdOf } from './request-id';
import { recordMatchedRoute } from './matched-route';

/**
 * A dialect's routes as a handler that loads them on the first request that needs them, so a
 * cold Lambda loads only the dialect it is asked in. The routes run in an app of their own,
 * given the same not-found and error answers as the app that mounts them, the request as the
 * edge middleware left it, its bindings and its id (request-id.ts).
 */
export interface LazyDialectOptions {
  /** Each dialect has its own context variables. */
  load: () => Promise<Hono<any>>;
  notFound: NotFoundHandler;
  onError: ErrorHandler;
  /** Tried after the dialect's own routes, as when both were mounted in one app. */
  fallback?: Handler;
}

export function lazyDialect(options: LazyDialectOptions): Handler {
  let loading: Promise<Hono> | undefined;
  const build = async () => {
    const routes = await options.load();
    // The request's id is set before any route runs, so every part of the dialect sees the same one.
    const inner = new Hono()
      .use((c, next) => {
        requestIdOf(c);
        return next();
      })
      .use(recordMatchedRoute)
      .route('/', routes);
    if (options.fallback) inner.all('*', options.fallback);
    return inner.notFound(options.notFound).onError(options.onError);
  };
  return async (c: Context) => {
    loading ??= build().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    const inner = await loading;
    // The same bindings object: the Node server's WebSocket upgrade leaves its mark on it.
    return inner.fetch(handOnRequest(c), c.env);
  };
}

/** Routes of a dialect that all lie under `<prefix><segment>` for one of its segments. */
export interface RouteGroup {
  segments: readonly string[];
  load: () => Promise<Hono<any>>;
}

/**
 * A dialect whose routes come in groups by the first path segment under its prefix, each loaded
 * on the first request under one of its segments (lazyDialect); a path under no group's segment
 * goes straight to the fallback, as it would after missing every route.
 */
export function lazyRouteGroups(prefix: string, groups: readonly RouteGroup[], options: Omit<LazyDialectOptions, 'load'>): Handler {
  const bySegment = new Map<string, Handler>();
  for (const group of groups) {
    const handler = lazyDialect({ ...options, load: group.load });
    for (const segment of group.segments) bySegment.set(segment, handler);
  }
  return (c, next) => {
    const rest = c.req.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const handler = bySegment.get(slash < 0 ? rest : rest.slice(0, slash));
    if (handler) return handler(c, next);
    return options.fallback ? options.fallback(c, next) : next();
  };
}
