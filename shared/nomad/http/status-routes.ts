import type { Context, Hono } from 'hono';
import { addressText, serverAddress } from '../services/server-identity';
import { config } from '../../config';
import { methodNotAllowed } from '../errors';
import { nomadJson } from './respond';

/**
 * `/v1/status/leader|peers` and `/v1/regions`: the one logical server the API is (see
 * server-identity.ts). Nomad answers them without a token and without reading state, and so do
 * we: a client's first request loads nothing of the store.
 */
const here = (c: Context) => serverAddress(c.req.url);

export function mountStatusRoutes(app: Hono): void {
  app.get('/v1/status/leader', (c) => nomadJson(c, addressText(here(c))));
  app.get('/v1/status/peers', (c) => nomadJson(c, [addressText(here(c))]));
  app.get('/v1/regions', (c) => nomadJson(c, [config().region]));
  for (const path of ['/v1/status/leader', '/v1/status/peers', '/v1/regions']) {
    app.all(path, () => {
      throw methodNotAllowed();
    });
  }
}
