import type { Context } from 'hono';
import * as z from '../../util/zod';
import { requireNamespace } from '../acl/guard';
import { evaluateJob } from '../services/evaluate-job';
import { planJob } from '../services/plan-job';
import { jobPlanResponse } from '../wire/job-plan-response';
import { jobRegisterResponse } from '../wire/job-register-response';
import { nomadBody, optionalNomadBody } from './body';
import { badRequest } from '../errors';
import type { JobPath } from './job-path';
import { requireJobWrite } from './job-params';
import { writeNamespace } from './jobs-routes';
import { namespaceParam } from './params';
import { nomadJson, setIndex } from './respond';

/** Running the scheduler for a job: a forced evaluation, or a dry run of a submitted spec. */
export const EvaluateBody = z
  .object({
    JobID: z.string().optional(),
    EvalOptions: z.object({ ForceReschedule: z.boolean().optional() }).passthrough().nullish(),
  })
  .passthrough();

export const PlanBody = z
  .object({
    Job: z.record(z.string(), z.unknown()).nullish(),
    Diff: z.boolean().optional(),
    PolicyOverride: z.boolean().optional(),
    Namespace: z.string().optional(),
  })
  .passthrough();

export async function evaluateHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const body = await optionalNomadBody(c, EvaluateBody, {});
  if (body.JobID && body.JobID !== jobId) throw badRequest('JobID not same as job name');
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'submit-job', 'evaluate-job');
  const result = await evaluateJob(namespace, jobId, body.EvalOptions?.ForceReschedule ?? false);
  setIndex(c, result.index);
  return nomadJson(c, jobRegisterResponse(result));
}

export async function planHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const body = await nomadBody(c, PlanBody);
  const job = body.Job;
  if (!job) throw badRequest('Job must be specified');
  if (typeof job.ID !== 'string' || job.ID === '') throw badRequest('Job must have a valid ID');
  if (job.ID !== jobId) throw badRequest('Job ID does not match');
  const namespace = writeNamespace(c, body, job);
  await requireJobWrite(c, namespace, body, 'submit-job', 'plan-job');
  const result = await planJob({ job, namespace, diff: body.Diff ?? false });
  setIndex(c, result.index);
  return nomadJson(c, jobPlanResponse(result));
}
