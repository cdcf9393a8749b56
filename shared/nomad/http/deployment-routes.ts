import type { Context, Hono } from 'hono';
import * as z from '../../util/zod';
import { requireNamespace } from '../acl/guard';
import { failDeployment, pauseDeployment, promoteDeployment, setAllocHealth, type DeploymentUpdateResult } from '../services/deployments';
import { readJobAllocs } from '../store/allocs';
import { findDeployment, listDeployments } from '../store/deployments';
import { readJob } from '../store/jobs';
import { allocListStub } from '../wire/alloc-list-stub';
import type { Deployment } from '../structs/deployment';
import { deploymentWire } from '../wire/deployment';
import { deploymentUpdateResponse } from '../wire/deployment-update-response';
import { blockingJson, blockingQuery } from './blocking';
import { optionalNomadBody } from './body';
import { badRequest, notFound } from '../errors';
import { boolParam, namespaceParam, perPageParam } from './params';
import { nomadJson, setIndex, setQueryMeta } from './respond';

/**
 * `/v1/deployments` and `/v1/deployment/...`: list deployments, read one and its allocations, and
 * steer it (promote, fail, pause/resume, set allocation health). Writes answer Nomad's
 * DeploymentUpdateResponse.
 */
export const PromoteBody = z.object({ DeploymentID: z.string().optional(), All: z.boolean().optional(), Groups: z.array(z.string()).nullish() }).passthrough();
const PauseBody = z.object({ DeploymentID: z.string().optional(), Pause: z.boolean().optional() }).passthrough();
const HealthBody = z
  .object({
    DeploymentID: z.string().optional(),
    HealthyAllocationIDs: z.array(z.string()).nullish(),
    UnhealthyAllocationIDs: z.array(z.string()).nullish(),
  })
  .passthrough();
export const IdOnlyBody = z.object({ DeploymentID: z.string().optional() }).passthrough();

/**
 * The deployment, if the caller may see it: its namespace (the request's for one that does not
 * exist) must grant the capability (Nomad: read-job to read, submit-job to steer).
 */
async function authorizedDeployment(c: Context, id: string, capability: 'read-job' | 'submit-job'): Promise<Deployment | undefined> {
  const deployment = await findDeployment(id);
  await requireNamespace(c, deployment?.Namespace ?? (c.req.query('namespace') || 'default'), capability);
  return deployment;
}

/** The deployment an operator steers: the caller needs submit-job in its namespace, and it must exist. */
async function steeredDeployment(c: Context, id: string): Promise<Deployment> {
  const deployment = await authorizedDeployment(c, id, 'submit-job');
  if (!deployment) throw notFound('deployment not found');
  return deployment;
}

/** Nomad insists the body names the deployment of the path; we accept a body that names none. */
function checkId(c: Context, bodyId: string | undefined): string {
  const id = c.req.param('deployment_id') ?? '';
  if (bodyId && bodyId !== id) throw badRequest('Deployment ID does not match');
  return id;
}

function respond(c: Context, result: DeploymentUpdateResult): Response {
  setIndex(c, result.index);
  return nomadJson(c, deploymentUpdateResponse(result));
}

export function mountDeploymentRoutes(app: Hono): void {
  app.get('/v1/deployments', async (c) => {
    const namespace = namespaceParam(c);
    await requireNamespace(c, namespace, 'read-job');
    const query = { namespace, prefix: c.req.query('prefix') || undefined, perPage: perPageParam(c), nextToken: c.req.query('next_token') || undefined, reverse: boolParam(c, 'reverse') };
    const result = await blockingQuery(c, async () => {
      const page = await listDeployments(query);
      return { index: page.deployments.reduce((max, deployment) => Math.max(max, deployment.ModifyIndex), 0), body: page };
    });
    setQueryMeta(c, result.index);
    if (result.body.nextToken) c.header('X-Nomad-NextToken', result.body.nextToken);
    return nomadJson(c, result.body.deployments.map(deploymentWire));
  });

  app.get('/v1/deployment/allocations/:deployment_id', async (c) => {
    return blockingJson(c, async () => {
      const deployment = await authorizedDeployment(c, c.req.param('deployment_id'), 'read-job');
      if (!deployment) return { index: 0, body: [] as ReturnType<typeof allocListStub>[] };
      const [allocs, record] = await Promise.all([readJobAllocs(deployment.Namespace, deployment.JobID), readJob(deployment.Namespace, deployment.JobID)]);
      const mine = allocs.filter((stored) => stored.alloc.DeploymentID === deployment.ID);
      const index = mine.reduce((max, stored) => Math.max(max, stored.alloc.ModifyIndex), deployment.ModifyIndex);
      return { index, body: mine.map((stored) => allocListStub(stored, record?.job.Type ?? '')) };
    });
  });

  app.on(['PUT', 'POST'], '/v1/deployment/promote/:deployment_id', async (c) => {
    const body = await optionalNomadBody(c, PromoteBody, {});
    const deployment = await steeredDeployment(c, checkId(c, body.DeploymentID));
    return respond(c, await promoteDeployment(deployment, { all: body.All ?? !(body.Groups?.length), groups: body.Groups ?? [] }));
  });

  app.on(['PUT', 'POST'], '/v1/deployment/fail/:deployment_id', async (c) => {
    const body = await optionalNomadBody(c, IdOnlyBody, {});
    const deployment = await steeredDeployment(c, checkId(c, body.DeploymentID));
    return respond(c, await failDeployment(deployment));
  });

  app.on(['PUT', 'POST'], '/v1/deployment/pause/:deployment_id', async (c) => {
    const body = await optionalNomadBody(c, PauseBody, {});
    const deployment = await steeredDeployment(c, checkId(c, body.DeploymentID));
    return respond(c, await pauseDeployment(deployment, body.Pause ?? false));
  });

  app.on(['PUT', 'POST'], '/v1/deployment/allocation-health/:deployment_id', async (c) => {
    const body = await optionalNomadBody(c, HealthBody, {});
    const deployment = await steeredDeployment(c, checkId(c, body.DeploymentID));
    return respond(c, await setAllocHealth(deployment, body.HealthyAllocationIDs ?? [], body.UnhealthyAllocationIDs ?? []));
  });

  app.on(['PUT', 'POST'], '/v1/deployment/unblock/:deployment_id', async (c) => {
    const body = await optionalNomadBody(c, IdOnlyBody, {});
    const deployment = await steeredDeployment(c, checkId(c, body.DeploymentID));
    // Only multiregion deployments block; we run a single region.
    if (['successful', 'failed', 'cancelled'].includes(deployment.Status)) throw badRequest("can't unblock terminal deployment");
    throw badRequest("can't unblock running deployment");
  });

  app.get('/v1/deployment/:deployment_id', async (c) => {
    return blockingJson(c, async () => {
      const deployment = await authorizedDeployment(c, c.req.param('deployment_id'), 'read-job');
      if (!deployment) throw notFound('deployment not found');
      return { index: deployment.ModifyIndex, body: deploymentWire(deployment) };
    });
  });
}
