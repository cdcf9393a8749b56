import type { Context } from 'hono';
import { z } from 'zod';
import { requireNamespace } from '../acl/guard';
import { forcePeriodicLaunch } from '../periodic/launch';
import { dispatchJob } from '../services/dispatch-job';
import { optionalNomadBody } from './body';
import { badRequest } from './errors';
import type { JobPath } from './job-path';
import { namespaceParam } from './params';
import { nomadJson, setIndex } from './respond';

/** Children of template jobs: dispatching a parameterized job, forcing a periodic launch. */
const DispatchBody = z
  .object({
    JobID: z.string().optional(),
    Payload: z.string().nullish(),
    Meta: z.record(z.string(), z.string()).nullish(),
    IdPrefixTemplate: z.string().optional(),
    Priority: z.number().int().optional(),
  })
  .passthrough();

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export async function dispatchHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const body = await optionalNomadBody(c, DispatchBody, {});
  if (body.JobID && body.JobID !== jobId) throw badRequest('Job ID does not match');
  if (body.Payload && (!BASE64.test(body.Payload) || body.Payload.length % 4 !== 0)) {
    throw badRequest('illegal base64 data at input byte 0');
  }
  if (body.Priority !== undefined && body.Priority !== 0 && (body.Priority < 1 || body.Priority > 100)) {
    throw badRequest('job priority must be between [1, 100]');
  }
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'dispatch-job');
  const result = await dispatchJob({
    namespace,
    jobId,
    payload: body.Payload ?? undefined,
    meta: body.Meta,
    idPrefixTemplate: body.IdPrefixTemplate,
    priority: body.Priority,
    idempotencyToken: c.req.query('idempotency_token') || undefined,
  });
  setIndex(c, result.Index);
  return nomadJson(c, result);
}

export async function periodicForceHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'dispatch-job', 'submit-job', 'force-periodic-job');
  const result = await forcePeriodicLaunch(namespace, jobId);
  setIndex(c, result.Index);
  return nomadJson(c, result);
}
