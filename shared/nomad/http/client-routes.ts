import type { Context, Hono } from 'hono';
import * as z from '../../util/zod';
import { requireNamespace } from '../acl/guard';
import { MAX_CHUNK_BYTES, commitLogChunks, logUploadUrls } from '../store/log-uploads';
import { handleLogs } from './logs-handler';
import { nodeAlloc, requireAgentNode } from '../services/node-auth';
import { agentChannelHandler } from './ws-handlers';
import {
  deleteRegistration,
  jobRegistrations,
  namespaceRegistrations,
  upsertRegistration,
} from '../store/service-registrations';
import type { LogUploadsResponse, ServiceRegistration } from '../wire/client-protocol';
import { writeMeta } from '../wire/query-meta';
import { serviceRegistrationListStubs } from '../wire/service-registration-list-stub';
import type { StoredAlloc } from '../store/allocs';
import { readJob } from '../store/jobs';
import { blockingJson } from './blocking';
import { nomadBody } from './body';
import { NomadError, notFound } from '../errors';
import type { JobPath } from './job-path';
import { namespaceParam } from './params';
import { nomadJson, setIndex } from './respond';

/**
 * What the client agents add to the API: Nomad's `GET /v1/client/fs/logs/:alloc_id` served from
 * shipped chunks, Nomad's service discovery reads (`/v1/services`, `/v1/service/:name`,
 * `/v1/job/:id/services`), and our extensions for agents under `/v1/client/agent/` (log chunk
 * uploads, service registrations, the action channel).
 */
const Chunk = z.object({
  Task: z.string().min(1),
  Type: z.enum(['stdout', 'stderr']),
  Offset: z.number().int().nonnegative(),
  Size: z.number().int().positive().max(MAX_CHUNK_BYTES),
});
const ChunksBody = z.object({ AllocID: z.string().min(1), Chunks: z.array(Chunk).min(1).max(100) });

const Registration = z.object({
  ID: z.string().min(1),
  ServiceName: z.string().min(1),
  Namespace: z.string().min(1),
  NodeID: z.string().min(1),
  Datacenter: z.string(),
  JobID: z.string().min(1),
  AllocID: z.string().min(1),
  Tags: z.array(z.string()).nullish(),
  Address: z.string(),
  Port: z.number().int().min(0).max(65535),
});
const ServicesBody = z.object({
  Upsert: z.array(Registration).max(100).default([]),
  Delete: z.array(z.object({ ID: z.string().min(1), Namespace: z.string().min(1), JobID: z.string().min(1) })).max(100).default([]),
});

function maxIndex(registrations: ServiceRegistration[]): number {
  return registrations.reduce((max, registration) => Math.max(max, registration.ModifyIndex), 0);
}

/** `GET /v1/job/:job_id/services` (mounted through the job path dispatcher). */
export async function jobServicesHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  return blockingJson(c, async () => {
    const [job, registrations] = await Promise.all([readJob(namespace, jobId), jobRegistrations(namespace, jobId)]);
    if (!job) throw notFound('job not found');
    return { index: maxIndex(registrations), body: registrations };
  });
}

export function mountClientRoutes(app: Hono): void {
  app.get('/v1/client/fs/logs/:alloc_id', handleLogs);
  app.get('/v1/client/fs/logs/', () => {
    throw new NomadError(400, 'must provide a valid alloc id');
  });

  app.get('/v1/services', async (c) => {
    const namespace = namespaceParam(c);
    await requireNamespace(c, namespace, 'read-job');
    return blockingJson(c, async () => {
      const registrations = await namespaceRegistrations(namespace);
      return { index: maxIndex(registrations), body: serviceRegistrationListStubs(namespace, registrations) };
    });
  });

  app.get('/v1/service/:service_name', async (c) => {
    const namespace = namespaceParam(c);
    await requireNamespace(c, namespace, 'read-job');
    return blockingJson(c, async () => {
      const registrations = await namespaceRegistrations(namespace, c.req.param('service_name'));
      return { index: maxIndex(registrations), body: registrations };
    });
  });

  app.get('/v1/client/agent/channel', agentChannelHandler);

  app.on(['PUT', 'POST'], '/v1/client/agent/logs/uploads', async (c) => {
    const nodeId = await requireAgentNode(c);
    const body = await nomadBody(c, ChunksBody);
    await nodeAlloc(nodeId, body.AllocID);
    const uploads: LogUploadsResponse = { Uploads: await logUploadUrls(body.AllocID, body.Chunks) };
    return nomadJson(c, uploads);
  });

  app.on(['PUT', 'POST'], '/v1/client/agent/logs/chunks', async (c) => {
    const nodeId = await requireAgentNode(c);
    const body = await nomadBody(c, ChunksBody);
    await nodeAlloc(nodeId, body.AllocID);
    await commitLogChunks(body.AllocID, body.Chunks);
    return nomadJson(c, {});
  });

  app.on(['PUT', 'POST'], '/v1/client/agent/services', async (c) => {
    const nodeId = await requireAgentNode(c);
    const body = await nomadBody(c, ServicesBody);
    // Every registration is checked before any is written; an allocation's services share one read of it.
    const allocs = new Map<string, StoredAlloc>();
    for (const registration of body.Upsert) {
      if (registration.NodeID !== nodeId) throw new NomadError(403, `service ${registration.ID} is not registered by node ${nodeId}`);
      let alloc = allocs.get(registration.AllocID);
      if (!alloc) allocs.set(registration.AllocID, (alloc = await nodeAlloc(nodeId, registration.AllocID)));
      if (alloc.alloc.JobID !== registration.JobID || alloc.alloc.Namespace !== registration.Namespace) {
        throw new NomadError(400, `service ${registration.ID} does not match allocation ${registration.AllocID}`);
      }
    }
    const indexes = await Promise.all(body.Upsert.map((registration) => upsertRegistration({ ...registration, Tags: registration.Tags ?? [] })));
    await Promise.all(body.Delete.map((entry) => deleteRegistration(entry.Namespace, entry.JobID, entry.ID, nodeId)));
    const index = Math.max(0, ...indexes);
    setIndex(c, index);
    return nomadJson(c, writeMeta(index));
  });
}
