import type { Context, Hono } from 'hono';
import { permissionDenied, resolveRequest, requireNode } from '../acl/guard';
import { agentFacts } from '../services/agent-self';
import { collectMetrics } from '../services/metrics';
import { addressText, serverAddress } from '../services/server-identity';
import { pingStore } from '../store/cluster-counts';
import { agentMembers, agentSelf } from '../wire/agent-self';
import { metricsSummary, prometheusText } from '../wire/metrics-summary';
import { badRequest, methodNotAllowed } from '../errors';
import { nomadJson } from './respond';

/**
 * Agent discovery of the one logical server the API is (see server-identity.ts):
 * `/v1/agent/self|members|servers|health` and `/v1/metrics` (`/v1/status/*` and `/v1/regions` are
 * status-routes.ts).
 */
async function requireAgent(c: Context, level: 'read' | 'write'): Promise<void> {
  if (!(await resolveRequest(c)).acl.allowAgent(level)) throw permissionDenied();
}

const here = (c: Context) => serverAddress(c.req.url);

/** Nomad's health answer: any side not ok makes it a 500, same JSON, as text/plain. */
async function health(c: Context): Promise<Response> {
  const type = c.req.query('type');
  const body: Record<string, { ok: boolean; message: string }> = {};
  if (type === 'client') body.client = { ok: false, message: 'client not enabled' };
  if (type !== 'client') {
    try {
      await pingStore();
      body.server = { ok: true, message: 'ok' };
    } catch (error) {
      body.server = { ok: false, message: (error as Error).name || 'store unavailable' };
    }
  }
  if (Object.values(body).every((side) => side.ok)) return nomadJson(c, body);
  return c.body(JSON.stringify(body), 500, { 'Content-Type': 'text/plain' });
}

async function metrics(c: Context): Promise<Response> {
  const summary = metricsSummary(await collectMetrics());
  if (c.req.query('format') === 'prometheus') {
    return c.body(prometheusText(summary), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  }
  return nomadJson(c, summary);
}

export function mountDiscoveryRoutes(app: Hono): void {
  app.get('/v1/agent/self', async (c) => {
    await requireAgent(c, 'read');
    return nomadJson(c, agentSelf(agentFacts(here(c))));
  });
  app.get('/v1/agent/members', async (c) => {
    await requireNode(c, 'read');
    return nomadJson(c, agentMembers(agentFacts(here(c))));
  });
  app.get('/v1/agent/servers', async (c) => {
    await requireAgent(c, 'read');
    return nomadJson(c, [addressText(here(c))]);
  });
  // Agents reach the API by its URL; there is no server list to change, so a valid request changes nothing.
  app.on(['PUT', 'POST'], '/v1/agent/servers', async (c) => {
    await requireAgent(c, 'write');
    if (c.req.queries('address') === undefined) throw badRequest('missing server address');
    return c.body(null, 200);
  });
  app.get('/v1/agent/health', health);
  app.get('/v1/metrics', metrics);
  for (const path of ['/v1/agent/self', '/v1/agent/members', '/v1/agent/health', '/v1/metrics']) {
    app.all(path, () => {
      throw methodNotAllowed();
    });
  }
}
