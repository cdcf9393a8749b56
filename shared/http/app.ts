import { Hono, type Context, type ErrorHandler, type Handler } from 'hono';
import { edgeAnswer, INTERNAL_ERROR } from './dialect';
import { edgeLimits } from './edge-limits';
import { lazyDialect, lazyRouteGroups } from './lazy-dialect';
import { requestId, requestIdOf } from './request-id';
import { requestLog } from './request-log';
import { logUnexpectedError } from './unexpected-error';
import { uiAssets } from './ui-assets';
import { openapiRoutes } from '../openapi/routes';
import { NOMAD_ROUTE_GROUPS } from '../nomad/http/router';

/**
 * The one Hono app served by `hono/aws-lambda` on Lambda and by `@hono/node-server` locally.
 * Each dialect answers the paths under its prefixes with its own error handling, and is loaded
 * on the first request there (a cold start loads only what it is asked); git's smart HTTP is
 * tried last, as at GitLab. An unknown path gets the not-found answer of the dialect its prefix
 * belongs to. Before any route, every request gets its id and meets the edge limits (body size,
 * JSON nesting).
 */
export const app = new Hono();

async function notFound(c: Context): Promise<Response> {
  // GitLab (Grape) answers `{"error":"404 Not Found"}`, or 405 for a known path and another method.
  if (c.req.path.startsWith('/api/v4/')) return (await import('../gitlab/http/router')).gitlabNotFound(c);
  // CodeArts answers unknown paths, and known ones asked with another method, CB.00060214.
  if (c.req.path.startsWith('/v3/')) return (await import('../codearts/http/router')).codeartsNotFound(c);
  // Nomad answers unknown paths with an empty 404.
  return c.body(null, 404);
}

// Each dialect answers its own routes' errors; this catches what fails outside them.
const onError: ErrorHandler = (error, c) => {
  logUnexpectedError(c, error);
  return edgeAnswer(c, INTERNAL_ERROR, requestIdOf(c));
};

// Git's smart HTTP paths end so (`/<namespace>/<project>[.git]/…`); only those load the git server.
const GIT_PATH = /\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const gitHttp = lazyDialect({ load: async () => (await import('../gitlab/git/http-routes')).gitHttp, notFound, onError });
const gitFallback: Handler = (c, next) => (GIT_PATH.test(c.req.path) ? gitHttp(c, next) : next());

// Nomad's routes load by group (nomad/http/router.ts), so a client's first `/v1/status/leader` loads no store.
const nomad = lazyRouteGroups('/v1/', NOMAD_ROUTE_GROUPS, { notFound, onError, fallback: gitFallback });
const gitlab = lazyDialect({ load: async () => (await import('../gitlab/http/router')).gitlab, notFound, onError, fallback: gitFallback });
const codearts = lazyDialect({ load: async () => (await import('../codearts/http/router')).codearts, notFound, onError, fallback: gitFallback });

/** Which dialect answers a path: its prefixes (every route of a dialect lies under one of them). */
export const DIALECT_PREFIXES = {
  nomad: ['/v1/'],
  gitlab: ['/api/v4/', '/.well-known/', '/oauth/', '/-/'],
  codearts: ['/v3/'],
} as const;

app.use(requestId);
app.use(requestLog);
app.use(edgeLimits);

for (const prefix of DIALECT_PREFIXES.nomad) app.all(`${prefix}*`, nomad);
for (const prefix of DIALECT_PREFIXES.gitlab) app.all(`${prefix}*`, gitlab);
for (const prefix of DIALECT_PREFIXES.codearts) app.all(`${prefix}*`, codearts);
app.route('/', uiAssets);
app.route('/', openapiRoutes);
app.all('*', gitFallback);

app.notFound(notFound);
app.onError(onError);
