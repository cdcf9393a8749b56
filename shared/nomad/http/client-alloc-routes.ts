import type { Context, Hono } from 'hono';
import * as z from '../../util/zod';
import { requireNamespace, requireNode } from '../acl/guard';
import { execHandler } from './ws-handlers';
import { callNode } from '../services/node-rpc';
import { findAlloc, type StoredAlloc } from '../store/allocs';
import type { NamespaceCapability } from '../acl/capabilities';
import { badRequest, methodNotAllowed, NomadError } from '../errors';
import { nomadJson } from './respond';
import { writeMeta } from '../wire/query-meta';

/**
 * Nomad's client allocation operations, relayed to the node that runs the allocation over its
 * agent channel (services/node-rpc.ts): `/v1/client/allocation/:id/{signal,restart,stats,gc}`,
 * `/v1/client/gc` and `/v1/client/stats`. As on a Nomad server, the allocation is looked up first
 * (`Unknown allocation "<id>"`, 404), then the token's capability on its namespace, then the call
 * goes to the node (`No path to node`, 404, when the node has no open channel). Without `node_id`,
 * the node-wide calls go to the API's own client where it runs one (`npm start`'s built-in agent,
 * NOMAD_LOCAL_CLIENT_NODE_ID), as on `nomad agent -dev`; otherwise Nomad's server-only answer.
 */
/** Nomad's GenericResponse: the client answers these calls without an index. */
const GENERIC_RESPONSE = writeMeta(0);

// Go decodes null as the zero value.
const text = z.string().nullish().transform((value) => value ?? '');
const SignalBody = z.object({ Task: text, Signal: text }).passthrough();
const RestartBody = z.object({ TaskName: text, AllTasks: z.boolean().nullish().transform((value) => value ?? false) }).passthrough();

/** The allocation a client call is for, as a Nomad server finds it before checking the token's capability on its namespace. */
export async function allocFor(c: Context, allocId: string, ...capabilities: NamespaceCapability[]): Promise<StoredAlloc> {
  const stored = await findAlloc(allocId);
  if (!stored) throw new NomadError(404, `Unknown allocation "${allocId}"`);
  await requireNamespace(c, stored.alloc.Namespace, ...capabilities);
  return stored;
}

async function jsonBody<T extends z.ZodType>(c: Context, schema: T, required: boolean, prefix: string): Promise<z.infer<T>> {
  const text = await c.req.text();
  if (text.trim() === '') {
    if (required) throw badRequest(`${prefix}Request body is empty`);
    return schema.parse({});
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badRequest(`${prefix}${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badRequest(`${prefix}json: cannot unmarshal ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** The node a node-wide call is for: `node_id`, else the API's own client, else Nomad's 400. */
function targetNode(c: Context): string {
  const nodeId = c.req.query('node_id') || process.env.NOMAD_LOCAL_CLIENT_NODE_ID;
  if (!nodeId) throw badRequest('No local Node and node_id not provided');
  return nodeId;
}

export function mountClientAllocRoutes(app: Hono): void {
  app.on(['PUT', 'POST'], '/v1/client/allocation/:alloc_id/signal', async (c) => {
    const body = await jsonBody(c, SignalBody, true, 'Failed to decode body: ');
    const { alloc } = await allocFor(c, c.req.param('alloc_id') ?? '', 'alloc-lifecycle');
    await callNode(alloc.NodeID, 'Allocations.Signal', { AllocID: alloc.ID, Task: body.Task, Signal: body.Signal });
    return nomadJson(c, GENERIC_RESPONSE);
  });
  app.all('/v1/client/allocation/:alloc_id/signal', () => {
    throw methodNotAllowed();
  });

  app.all('/v1/client/allocation/:alloc_id/restart', async (c) => {
    const body = await jsonBody(c, RestartBody, false, '');
    const { alloc } = await allocFor(c, c.req.param('alloc_id') ?? '', 'alloc-lifecycle');
    await callNode(alloc.NodeID, 'Allocations.Restart', { AllocID: alloc.ID, TaskName: body.TaskName, AllTasks: body.AllTasks });
    return nomadJson(c, GENERIC_RESPONSE);
  });

  const allocStats = async (c: Context) => {
    const { alloc } = await allocFor(c, c.req.param('alloc_id') ?? '', 'read-job');
    return nomadJson(c, await callNode(alloc.NodeID, 'Allocations.Stats', { AllocID: alloc.ID, Task: c.req.query('task') ?? '' }));
  };
  // GET is the documented method; Nomad answers stats whatever the method.
  app.get('/v1/client/allocation/:alloc_id/stats', allocStats);
  app.all('/v1/client/allocation/:alloc_id/stats', allocStats);

  app.all('/v1/client/allocation/:alloc_id/gc', async (c) => {
    const { alloc } = await allocFor(c, c.req.param('alloc_id') ?? '', 'submit-job', 'gc-allocation');
    await callNode(alloc.NodeID, 'Allocations.GarbageCollect', { AllocID: alloc.ID });
    return c.body(null, 200);
  });

  app.get('/v1/client/allocation/:alloc_id/exec', execHandler);

  app.all('/v1/client/allocation/*', () => {
    throw new NomadError(404, 'resource not found');
  });

  app.all('/v1/client/gc', async (c) => {
    await requireNode(c, 'write');
    await callNode(targetNode(c), 'Allocations.GarbageCollectAll', {});
    return c.body(null, 200);
  });

  app.all('/v1/client/stats', async (c) => {
    await requireNode(c, 'read');
    return nomadJson(c, await callNode(targetNode(c), 'ClientStats.Stats', {}));
  });
}
