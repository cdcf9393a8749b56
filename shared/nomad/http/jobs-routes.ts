import type { Context } from 'hono';
import { z } from 'zod';
import { listJobs } from '../services/list-jobs';
import { registerJob } from '../services/register-job';
import { jobListStub } from '../wire/job-list-stub';
import { blockingQuery } from './blocking';
import { nomadBody } from './body';
import { badRequest } from './errors';
import { boolParam, namespaceParam, perPageParam } from './params';
import { nomadJson, setIndex, setQueryMeta } from './respond';

/** `/v1/jobs`: list and register. */
export const RegisterBody = z
  .object({
    Job: z.record(z.string(), z.unknown()).nullish(),
    EnforceIndex: z.boolean().optional(),
    JobModifyIndex: z.number().int().nonnegative().optional(),
    EvalPriority: z.number().int().optional(),
    PolicyOverride: z.boolean().optional(),
    PreserveCounts: z.boolean().optional(),
    PreserveResources: z.boolean().optional(),
    Submission: z.record(z.string(), z.unknown()).nullish(),
    Namespace: z.string().optional(),
    Region: z.string().optional(),
  })
  .passthrough();

export type RegisterBodyType = z.infer<typeof RegisterBody>;

/** The register checks Nomad makes in its HTTP handler, before the job reaches the server. */
export function checkRegisterBody(body: RegisterBodyType, pathJobId?: string): Record<string, unknown> {
  const job = body.Job;
  if (!job) throw badRequest('Job must be specified');
  if (typeof job.ID !== 'string' || job.ID === '') throw badRequest("Job ID hasn't been provided");
  if (pathJobId !== undefined && job.ID !== pathJobId) throw badRequest('Job ID does not match name');
  if (body.EvalPriority !== undefined && body.EvalPriority !== 0 && (body.EvalPriority < 1 || body.EvalPriority > 100)) {
    throw badRequest('Eval priority must be between 1 and 100 inclusively');
  }
  return job;
}

/** On writes the first namespace given wins: query, then body, then the job's own, then default. */
export function writeNamespace(c: Context, body: RegisterBodyType, job: Record<string, unknown>): string {
  return c.req.query('namespace') || body.Namespace || (typeof job.Namespace === 'string' && job.Namespace) || 'default';
}

export async function handleRegister(c: Context, pathJobId?: string): Promise<Response> {
  const body = await nomadBody(c, RegisterBody);
  const job = checkRegisterBody(body, pathJobId);
  const result = await registerJob({
    job,
    namespace: writeNamespace(c, body, job),
    enforceIndex: body.EnforceIndex ?? false,
    jobModifyIndex: body.JobModifyIndex ?? 0,
    evalPriority: body.EvalPriority ?? 0,
    preserveCounts: body.PreserveCounts ?? false,
  });
  setIndex(c, result.Index);
  return nomadJson(c, result);
}

export async function handleListJobs(c: Context): Promise<Response> {
  const namespace = namespaceParam(c);
  const perPage = perPageParam(c);
  const withMeta = boolParam(c, 'meta');
  const reverse = boolParam(c, 'reverse');
  const result = await blockingQuery(c, async () => {
    const page = await listJobs({
      namespace,
      prefix: c.req.query('prefix') || undefined,
      perPage,
      nextToken: c.req.query('next_token') || undefined,
      reverse,
    });
    return { index: page.index, body: page };
  });
  setQueryMeta(c, result.index);
  if (result.body.nextToken) c.header('X-Nomad-NextToken', result.body.nextToken);
  return nomadJson(
    c,
    result.body.records.map((record) => jobListStub(record, withMeta)),
  );
}
