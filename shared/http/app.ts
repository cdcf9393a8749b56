import { Hono } from 'hono';
import { nomad } from '../nomad/http/router';
import { gitlab, gitlabNotFound } from '../gitlab/http/router';
import { codearts, codeartsNotFound } from '../codearts/http/router';
import { edgeAnswer, INTERNAL_ERROR } from './dialect';
import { edgeLimits } from './edge-limits';
import { requestId, requestIdOf } from './request-id';
import { requestLog } from './request-log';
import { logUnexpectedError } from './unexpected-error';
import { gitHttp } from '../gitlab/git/http-routes';
import { uiAssets } from './ui-assets';

/**
 * The one Hono app served by `hono/aws-lambda` on Lambda and by `@hono/node-server` locally.
 * Each dialect is mounted at the root with its own error handling; an unknown path gets the
 * not-found answer of the dialect its prefix belongs to. Before any route, every request gets its
 * id and meets the edge limits (body size, JSON nesting).
 */
export const app = new Hono();

app.use(requestId);
app.use(requestLog);
app.use(edgeLimits);

app.route('/', nomad);
app.route('/', gitlab);
app.route('/', codearts);
app.route('/', gitHttp);
app.route('/', uiAssets);

app.notFound((c) => {
  // GitLab (Grape) answers `{"error":"404 Not Found"}`, or 405 for a known path and another method.
  if (c.req.path.startsWith('/api/v4/')) return gitlabNotFound(c);
  // CodeArts answers unknown paths, and known ones asked with another method, CB.00060214.
  if (c.req.path.startsWith('/v3/')) return codeartsNotFound(c);
  // Nomad answers unknown paths with an empty 404.
  return c.body(null, 404);
});

// Each dialect answers its own routes' errors; this catches what fails outside them.
app.onError((error, c) => {
  logUnexpectedError(c, error);
  return edgeAnswer(c, INTERNAL_ERROR, requestIdOf(c));
});
