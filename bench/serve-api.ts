import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/**
 * The API served as `npm start` serves it (@hono/node-server) on a free loopback port; import it
 * after the bench has set its environment, as the app reads settings when it loads.
 */
export async function serveApi(): Promise<{ url: string; close: () => void }> {
  const { app } = await import('../shared/http/app');
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}
