import type { Context } from 'hono';
import * as z from '../../util/zod';
import { requireNamespace } from '../acl/guard';
import { readJobScale, scaleJob } from '../services/scale-job';
import { jobRegisterResponse } from '../wire/job-register-response';
import { jobScaleStatus } from '../wire/job-scale-status';
import { blockingJson } from './blocking';
import { nomadBody } from './body';
import { badRequest } from '../errors';
import type { JobPath } from './job-path';
import { requireJobWrite } from './job-params';
import { namespaceParam } from './params';
import { nomadJson, setIndex } from './respond';

/** `GET|POST /v1/job/:id/scale`. */
export const ScaleBody = z
  .object({
    Count: z.number().int().nullish(),
    Target: z.record(z.string(), z.string()).nullish(),
    Message: z.string().optional(),
    Error: z.boolean().optional(),
    Meta: z.record(z.string(), z.unknown()).nullish(),
    PolicyOverride: z.boolean().optional(),
    EnforceIndex: z.boolean().optional(),
    JobModifyIndex: z.number().int().nonnegative().optional(),
  })
  .passthrough();
const SCALING_REQUEST = { name: 'ScalingRequest', integers: { Count: 'int64', JobModifyIndex: 'uint64' } } as const;

export async function scaleStatusHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job-scaling', 'read-job');
  return blockingJson(c, async () => {
    const { job, groups } = await readJobScale(namespace, jobId);
    return { index: job.ModifyIndex, body: jobScaleStatus(job, groups) };
  });
}

export async function scaleHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const body = await nomadBody(c, ScaleBody, SCALING_REQUEST);
  const target = body.Target ?? {};
  if (target.Job && target.Job !== jobId) throw badRequest('job ID in payload did not match URL');
  const namespace = namespaceParam(c);
  await requireJobWrite(c, namespace, body, 'scale-job', 'submit-job');
  const result = await scaleJob({
    namespace,
    jobId,
    group: target.Group,
    count: body.Count,
    message: body.Message,
    error: body.Error,
    meta: body.Meta,
    jobModifyIndex: body.JobModifyIndex,
  });
  setIndex(c, result.index);
  return nomadJson(c, jobRegisterResponse(result));
}
