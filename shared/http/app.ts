import { Hono } from 'hono';
import { nomad } from '../nomad/http/router';
import { gitlab, gitlabNotFound } from '../gitlab/http/router';
import { codearts, codeartsNotFound } from '../codearts/http/router';
import { gitHttp } from '../gitlab/git/http-routes';

/**
 * The one Hono app served by `hono/aws-lambda` on Lambda and by `@hono/node-server` locally.
 * Each dialect is mounted at the root with its own error handling; an unknown path gets the
 * not-found answer of the dialect its prefix belongs to.
 */
export const app = new Hono();

app.route('/', nomad);
app.route('/', gitlab);
app.route('/', codearts);
app.route('/', gitHttp);

app.notFound((c) => {
  // GitLab (Grape) answers `{"error":"404 Not Found"}`, or 405 for a known path and another method.
  if (c.req.path.startsWith('/api/v4/')) return gitlabNotFound(c);
  // CodeArts answers unknown paths, and known ones asked with another method, CB.00060214.
  if (c.req.path.startsWith('/v3/')) return codeartsNotFound(c);
  // Nomad answers unknown paths with an empty 404.
  return c.body(null, 404);
});
