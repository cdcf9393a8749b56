import type { Hono } from 'hono';
import * as z from '../../util/zod';
import { requireNamespace } from '../acl/guard';
import { canonicalizeJob } from '../jobspec/canonicalize';
import { validateJobSpec } from '../services/validate-job';
import { jobValidateResponse } from '../wire/job-validate-response';
import { nomadBody } from './body';
import { badRequest, methodNotAllowed } from '../errors';
import { nomadJson } from './respond';

/**
 * `PUT|POST /v1/validate/job`: a job that does not validate is still a 200, its problems in the
 * JobValidateResponse. Needs `read-job` in the job's own namespace.
 */
export const ValidateBody = z.object({ Job: z.record(z.string(), z.unknown()).nullish() }).passthrough();

export function mountValidateRoutes(app: Hono): void {
  app.on(['PUT', 'POST'], '/v1/validate/job', async (c) => {
    const body = await nomadBody(c, ValidateBody);
    if (!body.Job) throw badRequest('Job must be specified');
    const job = canonicalizeJob(body.Job);
    await requireNamespace(c, job.Namespace, 'read-job');
    return nomadJson(c, jobValidateResponse(validateJobSpec(job)));
  });
  app.all('/v1/validate/job', () => {
    throw methodNotAllowed();
  });
}
