import type { Context } from 'hono';
import { notFound } from '../errors';
import { pipelineBasic, pipelineEntity } from '../entities/pipeline';
import type { JobRecord, PipelineRecord } from '../records';
import { createPipeline } from '../services/create-pipeline';
import { cancelJob, retryJob } from '../services/job-actions';
import { latestJobs } from '../services/process-pipeline';
import { cancelTarget, isRetryable } from '../state/job-events';
import { listProjectPipelines } from '../store/pipeline-list';
import { readPipelineWithJobs } from '../store/pipelines';
import { getUser } from '../store/users';
import type { ProjectAccess } from '../auth/policy';
import { scopeParam } from './jobs-routes';
import { allParams, GrapeParams, pathInteger, queryParams } from './params';
import { pageRequest, setOffsetHeaders } from './pagination';
import { presentJobs } from './present';
import { authenticate, authorize, findProject, requireUser } from './request';
import { route } from './routing';

/** Pipelines (`lib/api/ci/pipelines.rb`): create, show, list, cancel, retry, and a pipeline's jobs and bridges. */

async function findPipeline(access: ProjectAccess, pipelineId: number): Promise<{ pipeline: PipelineRecord; jobs: JobRecord[] }> {
  const read = await readPipelineWithJobs(pipelineId);
  if (!read || read.pipeline.projectId !== access.project.id) throw notFound();
  return read;
}

async function presentPipeline(access: ProjectAccess, pipeline: PipelineRecord, jobs: JobRecord[]) {
  return pipelineEntity(pipeline, access.project, await getUser(pipeline.userId), latestJobs(jobs));
}

async function create(c: Context) {
  const principal = await authenticate(c, { required: true });
  const params = new GrapeParams(await allParams(c));
  const ref = params.string('ref', { required: true });
  const variables = params.hashArray('variables', { required: ['key', 'value'], optional: ['variable_type'] }) ?? [];
  params.check();
  const access = await findProject(c, principal);
  authorize(access, 'create_pipeline');
  const { pipeline, jobs } = await createPipeline({
    project: access.project,
    user: requireUser(principal),
    ref,
    source: 'api',
    variables: variables.map((variable) => ({ key: variable.key, value: variable.value, variableType: variable.variable_type === 'file' ? 'file' : 'env_var' })),
  });
  return c.json(await presentPipeline(access, pipeline, jobs), 201);
}

async function show(c: Context) {
  const principal = await authenticate(c, { required: false });
  const pipelineId = pathInteger(c, 'pipeline_id');
  const access = await findProject(c, principal);
  authorize(access, 'read_pipeline');
  const { pipeline, jobs } = await findPipeline(access, pipelineId);
  return c.json(await presentPipeline(access, pipeline, jobs));
}

async function list(c: Context) {
  const principal = await authenticate(c, { required: false });
  const params = new GrapeParams(queryParams(c));
  const status = params.string('status');
  const ref = params.string('ref');
  const page = pageRequest(c);
  params.check();
  const access = await findProject(c, principal);
  authorize(access, 'read_pipeline');
  const result = await listProjectPipelines(access.project.id, { status, ref, offset: page.offset, limit: page.perPage });
  setOffsetHeaders(c, page, { hasMore: result.hasMore, total: result.total });
  return c.json(result.pipelines.map((pipeline) => ({ ...pipelineBasic(pipeline, access.project), name: pipeline.name ?? null })));
}

async function cancel(c: Context) {
  const principal = await authenticate(c, { required: true });
  const pipelineId = pathInteger(c, 'pipeline_id');
  const access = await findProject(c, principal);
  authorize(access, 'update_build');
  const { jobs } = await findPipeline(access, pipelineId);
  for (const job of latestJobs(jobs)) if (cancelTarget(job)) await cancelJob(job.id, { force: false });
  const read = (await readPipelineWithJobs(pipelineId))!;
  return c.json(await presentPipeline(access, read.pipeline, read.jobs));
}

/** Retries the pipeline's failed and canceled jobs (GitLab's `RetryPipelineService`). */
async function retry(c: Context) {
  const principal = await authenticate(c, { required: true });
  const pipelineId = pathInteger(c, 'pipeline_id');
  const access = await findProject(c, principal);
  authorize(access, 'update_build');
  const { jobs } = await findPipeline(access, pipelineId);
  const user = requireUser(principal);
  for (const job of latestJobs(jobs).sort((a, b) => a.id - b.id)) {
    if ((job.status === 'failed' || job.status === 'canceled') && isRetryable(job)) await retryJob(job.id, user);
  }
  const read = (await readPipelineWithJobs(pipelineId))!;
  return c.json(await presentPipeline(access, read.pipeline, read.jobs), 201);
}

async function pipelineJobs(c: Context, type: JobRecord['type']) {
  const principal = await authenticate(c, { required: false, jobTokenAllowed: type === 'build' });
  const pipelineId = pathInteger(c, 'pipeline_id');
  const params = new GrapeParams(queryParams(c));
  const statuses = scopeParam(params);
  const includeRetried = type === 'build' ? (params.boolean('include_retried') ?? false) : false;
  const page = pageRequest(c);
  params.check();
  const access = await findProject(c, principal);
  authorize(access, type === 'build' ? 'read_pipeline' : 'read_build');
  const { jobs } = await findPipeline(access, pipelineId);
  const matching = jobs
    .filter((job) => job.type === type)
    .filter((job) => includeRetried || !job.retried)
    .filter((job) => !statuses || statuses.includes(job.status))
    .sort((a, b) => b.id - a.id);
  const shown = matching.slice(page.offset, page.offset + page.perPage);
  setOffsetHeaders(c, page, { hasMore: matching.length > page.offset + page.perPage, total: matching.length });
  if (type === 'bridge') {
    return c.json(await presentJobs(access, shown, 'bridge'));
  }
  return c.json(await presentJobs(access, shown, 'job'));
}

route('POST', '/projects/:id/pipeline', create);
route('GET', '/projects/:id/pipelines', list);
route('GET', '/projects/:id/pipelines/:pipeline_id', show);
route('POST', '/projects/:id/pipelines/:pipeline_id/cancel', cancel);
route('POST', '/projects/:id/pipelines/:pipeline_id/retry', retry);
route('GET', '/projects/:id/pipelines/:pipeline_id/jobs', (c) => pipelineJobs(c, 'build'));
route('GET', '/projects/:id/pipelines/:pipeline_id/bridges', (c) => pipelineJobs(c, 'bridge'));
