import type { Hono } from 'hono';
import * as z from '../../util/zod';
import { requireNode } from '../acl/guard';
import { drainNode, setEligibility } from '../services/node-drain';
import { heartbeatNode } from '../services/node-heartbeat';
import { registerNode } from '../services/register-node';
import { updateAllocsFromClient } from '../services/update-allocs';
import { listNodeAllocs, withJobs } from '../store/allocs';
import { listNodes, readNode } from '../store/nodes';
import { nodeWire } from '../wire/node';
import { nodeListStub } from '../wire/node-list-stub';
import { nodeDrainUpdateResponse, nodeEligibilityUpdateResponse } from '../wire/node-drain-update-response';
import { nodeHeartbeatResponse, nodeRegisterResponse } from '../wire/node-update-response';
import { writeMeta } from '../wire/query-meta';
import { blockingJson, blockingQuery } from './blocking';
import { nomadBody } from './body';
import { notFound } from '../errors';
import { boolParam } from './params';
import { nomadJson, setIndex, setQueryMeta } from './respond';

/** Nodes: Nomad's read endpoints, plus the HTTP forms of the client RPCs our agents use. */
const RegisterNodeBody = z.object({ Node: z.record(z.string(), z.unknown()) }).passthrough();

const ClientAllocsBody = z.object({
  Allocs: z.array(
    z
      .object({
        ID: z.string().min(1),
        ClientStatus: z.enum(['pending', 'running', 'complete', 'failed', 'lost', 'unknown']),
        ClientDescription: z.string().optional(),
        TaskStates: z.record(z.string(), z.any()).nullish(),
        DeploymentStatus: z.object({ Healthy: z.boolean().nullish(), Timestamp: z.string().optional() }).passthrough().nullish(),
      })
      .passthrough(),
  ),
});

export const DrainBody = z
  .object({
    DrainSpec: z.object({ Deadline: z.number().int().optional(), IgnoreSystemJobs: z.boolean().optional() }).passthrough().nullish(),
    MarkEligible: z.boolean().optional(),
    Meta: z.record(z.string(), z.string()).nullish(),
    NodeID: z.string().optional(),
  })
  .passthrough();

export const EligibilityBody = z.object({ Eligibility: z.string(), NodeID: z.string().optional() }).passthrough();

/** 1 for a node that is not registered: it has nothing to wait for, but 0 would not block. */
async function nodeCreateIndex(nodeId: string): Promise<number> {
  return (await readNode(nodeId))?.node.CreateIndex || 1;
}

/** The node as Nomad serves it: never with its secret. */
export function mountNodeRoutes(app: Hono): void {
  app.on(['PUT', 'POST'], '/v1/node/register', async (c) => {
    await requireNode(c, 'write');
    const body = await nomadBody(c, RegisterNodeBody);
    const result = await registerNode(body.Node);
    setIndex(c, result.index);
    return nomadJson(c, nodeRegisterResponse(result));
  });

  app.on(['PUT', 'POST'], '/v1/node/:node_id/heartbeat', async (c) => {
    await requireNode(c, 'write');
    const result = await heartbeatNode(c.req.param('node_id'));
    setIndex(c, result.index);
    return nomadJson(c, nodeHeartbeatResponse(result));
  });

  app.on(['PUT', 'POST'], '/v1/node/:node_id/drain', async (c) => {
    await requireNode(c, 'write');
    const body = await nomadBody(c, DrainBody);
    const spec = body.DrainSpec ? { Deadline: body.DrainSpec.Deadline ?? 0, IgnoreSystemJobs: body.DrainSpec.IgnoreSystemJobs ?? false } : null;
    const result = await drainNode(c.req.param('node_id'), spec, body.MarkEligible ?? false);
    setIndex(c, result.index);
    return nomadJson(c, nodeDrainUpdateResponse(result));
  });

  app.on(['PUT', 'POST'], '/v1/node/:node_id/eligibility', async (c) => {
    await requireNode(c, 'write');
    const body = await nomadBody(c, EligibilityBody);
    const result = await setEligibility(c.req.param('node_id'), body.Eligibility);
    setIndex(c, result.index);
    return nomadJson(c, nodeEligibilityUpdateResponse(result));
  });

  app.get('/v1/nodes', async (c) => {
    await requireNode(c, 'read');
    const withResources = boolParam(c, 'resources');
    const withOs = boolParam(c, 'os');
    return blockingJson(c, async () => {
      const nodes = await listNodes(c.req.query('prefix') || undefined, { usage: false });
      const index = nodes.reduce((max, entry) => Math.max(max, entry.node.ModifyIndex), 0);
      return { index, body: nodes.map((entry) => nodeListStub(entry.node, withResources, withOs)) };
    });
  });

  app.get('/v1/node/:node_id', async (c) => {
    await requireNode(c, 'read');
    return blockingJson(c, async () => {
      const stored = await readNode(c.req.param('node_id'));
      if (!stored) throw notFound('node not found');
      return { index: stored.node.ModifyIndex, body: nodeWire(stored.node) };
    });
  });

  app.get('/v1/node/:node_id/allocations', async (c) => {
    await requireNode(c, 'read');
    const nodeId = c.req.param('node_id');
    let registered: Promise<number> | undefined;
    const result = await blockingQuery(c, async () => {
      const stored = await listNodeAllocs(nodeId);
      // Without allocations Nomad answers its allocations table's index, never 0 (`?index=0` does
      // not block); ours is the node's CreateIndex, as nothing is placed on a node before it registers.
      const index = stored.length > 0 ? stored.reduce((max, entry) => Math.max(max, entry.alloc.ModifyIndex), 0) : await (registered ??= nodeCreateIndex(nodeId));
      return { index, body: stored };
    });
    setQueryMeta(c, result.index);
    return nomadJson(c, await withJobs(result.body));
  });

  app.on(['PUT', 'POST'], '/v1/node/:node_id/allocations', async (c) => {
    await requireNode(c, 'write');
    const body = await nomadBody(c, ClientAllocsBody);
    const result = await updateAllocsFromClient(c.req.param('node_id'), body.Allocs);
    setIndex(c, result.index);
    return nomadJson(c, writeMeta(result.index));
  });
}
