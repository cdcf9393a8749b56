import { Hono } from 'hono';
import { nomad } from '../nomad/http/router';

/**
 * The one Hono app served by `hono/aws-lambda` on Lambda and by `@hono/node-server` locally.
 * Each dialect is mounted at the root with its own error handling; an unknown path gets the
 * not-found answer of the dialect its prefix belongs to.
 */
export const app = new Hono();

app.route('/', nomad);

app.notFound((c) => {
  // Nomad answers unknown paths with an empty 404.
  return c.body(null, 404);
});
