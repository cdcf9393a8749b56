import type { Context, Hono } from 'hono';
import * as z from '../../util/zod';
import { resolveRequest, requireNamespace } from '../acl/guard';
import { fieldTypeProblem } from '../jobspec/field-types';
import { blockingPage, filterPredicate } from './collection-params';
import { listJobs } from '../services/list-jobs';
import { registerJob } from '../services/register-job';
import { jobRegisterResponse } from '../wire/job-register-response';
import { listNamespaces } from '../store/namespaces';
import type { JobRecord } from '../store/jobs';
import { jobListStub } from '../wire/job-list-stub';
import { config } from '../../config';
import { nomadBody } from './body';
import { badRequest, methodNotAllowed } from '../errors';
import { checkRegion, requireJobWrite } from './job-params';
import { handleParseJob } from './job-parse-handler';
import { boolParam, namespaceParam, perPageParam } from './params';
import { nomadJson, setIndex } from './respond';

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
    Submission: z
      .object({
        Source: z.string().optional(),
        Format: z.string().optional(),
        VariableFlags: z.record(z.string(), z.string()).nullish(),
        Variables: z.string().optional(),
      })
      .passthrough()
      .nullish(),
    Namespace: z.string().optional(),
    Region: z.string().optional(),
  })
  .passthrough();

const JOB_REGISTER_REQUEST = { name: 'JobRegisterRequest', integers: { JobModifyIndex: 'uint64', EvalPriority: 'int' } } as const;

type RegisterBodyType = z.infer<typeof RegisterBody>;

/** The register checks Nomad makes in its HTTP handler, before the job reaches the server. */
function checkRegisterBody(body: RegisterBodyType, pathJobId?: string): Record<string, unknown> {
  const job = body.Job;
  if (!job) throw badRequest('Job must be specified');
  const typeProblem = fieldTypeProblem(job);
  if (typeProblem) throw badRequest(typeProblem);
  if (typeof job.ID !== 'string' || job.ID === '') throw badRequest("Job ID hasn't been provided");
  if (pathJobId !== undefined && job.ID !== pathJobId) throw badRequest('Job ID does not match name');
  if (body.EvalPriority !== undefined && body.EvalPriority !== 0 && (body.EvalPriority < 1 || body.EvalPriority > 100)) {
    throw badRequest('Eval priority must be between 1 and 100 inclusively');
  }
  return job;
}

/** On writes the first namespace given wins: query, then body, then the job's own, then default. */
export function writeNamespace(c: Context, body: { Namespace?: string }, job: Record<string, unknown>): string {
  return c.req.query('namespace') || body.Namespace || (typeof job.Namespace === 'string' && job.Namespace) || 'default';
}

export async function handleRegister(c: Context, pathJobId?: string): Promise<Response> {
  const body = await nomadBody(c, RegisterBody, JOB_REGISTER_REQUEST);
  const job = checkRegisterBody(body, pathJobId);
  const namespace = writeNamespace(c, body, job);
  await requireJobWrite(c, namespace, body, 'submit-job', 'register-job');
  checkRegion(c.req.query('region') || body.Region || (typeof job.Region === 'string' ? job.Region : ''), config().region);
  const result = await registerJob({
    job,
    namespace,
    enforceIndex: body.EnforceIndex ?? false,
    jobModifyIndex: body.JobModifyIndex ?? 0,
    evalPriority: body.EvalPriority ?? 0,
    preserveCounts: body.PreserveCounts ?? false,
    submission: body.Submission,
  });
  setIndex(c, result.index);
  return nomadJson(c, jobRegisterResponse(result));
}

/** The namespaces a list reads: the one asked for, or with `*` every one the token may list jobs in. */
async function listedNamespaces(c: Context, namespace: string): Promise<string[]> {
  if (namespace !== '*') {
    await requireNamespace(c, namespace, 'list-jobs');
    return [namespace];
  }
  const { acl } = await resolveRequest(c);
  return (await listNamespaces()).map((entry) => entry.Name).filter((name) => acl.allowNamespace(name, 'list-jobs'));
}

export async function handleListJobs(c: Context): Promise<Response> {
  const namespace = namespaceParam(c);
  const perPage = perPageParam(c);
  const withMeta = boolParam(c, 'meta');
  const reverse = boolParam(c, 'reverse');
  const matches = filterPredicate<JobRecord['job']>(c.req.query('filter'));
  const filter = matches && ((record: JobRecord) => matches(record.job));
  const namespaces = await listedNamespaces(c, namespace);
  const page = await blockingPage(c, () =>
    listJobs({ namespaces, prefix: c.req.query('prefix') || undefined, perPage, nextToken: c.req.query('next_token') || undefined, reverse, filter }),
  );
  return nomadJson(
    c,
    page.records.map((record) => jobListStub(record, withMeta)),
  );
}

/** `/v1/jobs` and `/v1/jobs/parse`; other methods are 405. */
export function mountJobsRoutes(app: Hono): void {
  app.get('/v1/jobs', handleListJobs);
  app.on(['PUT', 'POST'], '/v1/jobs/parse', handleParseJob);
  app.all('/v1/jobs/parse', () => {
    throw methodNotAllowed();
  });
  app.on(['PUT', 'POST'], '/v1/jobs', (c) => handleRegister(c));
  app.all('/v1/jobs', () => {
    throw methodNotAllowed();
  });
}
