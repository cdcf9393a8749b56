import type { Context } from 'hono';
import * as z from '../../util/zod';
import { notFound } from '../errors';
import { pipelineBasic, pipelineEntity } from '../entities/pipeline';
import type { JobRecord, PipelineRecord } from '../records';
import { cancelJob, createPipeline } from '../services/pipeline-engine';
import { retryJobWithoutAnswer } from '../services/job-actions';
import { latestJobs } from '../services/process-pipeline';
import { cancelTarget, isRetryable } from '../state/job-events';
import { listProjectPipelines } from '../store/pipeline-list';
import { readPipelineWithJobs } from '../store/pipelines';
import { getUser } from '../store/users';
import type { ProjectAccess } from '../auth/policy';
import * as grape from './grape';
import { jobScope } from './jobs-routes';
import { pageRequest, paginationParams, setOffsetHeaders } from './pagination';
import { presentJobs } from './present';
import { authenticated, authorize, findProject, requireUser, type Authenticated } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/** Pipelines (`lib/api/ci/pipelines.rb`): create, show, list, cancel, retry, and a pipeline's jobs and bridges. */

async function findPipeline(access: ProjectAccess, pipelineId: number): Promise<{ pipeline: PipelineRecord; jobs: JobRecord[] }> {
  const read = await readPipelineWithJobs(pipelineId);
  if (!read || read.pipeline.projectId !== access.project.id) throw notFound();
  return read;
}

async function presentPipeline(access: ProjectAccess, pipeline: PipelineRecord, jobs: JobRecord[]) {
  return pipelineEntity(pipeline, access.project, await getUser(pipeline.userId), latestJobs(jobs));
}

const pipelineIdPath = pathParams({ pipeline_id: grape.pathInteger() });

export const createParams = z.object({
  ref: grape.string(),
  variables: grape.hashList({ key: grape.string(), value: grape.string(), variable_type: grape.string().optional() }).default([]),
  /** Values for the CI file's `spec:inputs` (typed in a JSON body). */
  inputs: z.record(z.string(), z.unknown()).optional(),
});

const create = handlers(authenticated({ required: true }), params(createParams), async (c) => {
  const { ref, variables, inputs } = c.var.params;
  const access = await findProject(c, c.var.principal);
  authorize(access, 'create_pipeline');
  const { pipeline, jobs } = await createPipeline({
    project: access.project,
    user: requireUser(c.var.principal),
    ref,
    inputs,
    source: 'api',
    variables: variables.map((variable) => ({ key: variable.key, value: variable.value, variableType: variable.variable_type === 'file' ? 'file' : 'env_var' })),
  });
  return c.json(await presentPipeline(access, pipeline, jobs), 201);
});

const show = handlers(authenticated({ required: false }), pipelineIdPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_pipeline');
  const { pipeline, jobs } = await findPipeline(access, c.req.valid('param').pipeline_id);
  return c.json(await presentPipeline(access, pipeline, jobs));
});

/** `Ci::Pipeline.sources`, what `source` may filter on. */
const PIPELINE_SOURCES = [
  'unknown', 'push', 'web', 'trigger', 'schedule', 'api', 'external', 'pipeline', 'chat', 'webide', 'merge_request_event',
  'external_pull_request_event', 'parent_pipeline', 'ondemand_dast_scan', 'ondemand_dast_validation', 'security_orchestration_policy',
  'container_registry_push', 'duo_workflow', 'pipeline_execution_policy_schedule',
] as const;

export const listParams = z.object({ status: grape.string().optional(), ref: grape.string().optional(), source: grape.values(PIPELINE_SOURCES).optional(), ...paginationParams });

const list = handlers(authenticated({ required: false }), queryParams(listParams), async (c) => {
  const { status, ref, source, ...paging } = c.req.valid('query');
  const page = pageRequest(paging);
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_pipeline');
  const result = await listProjectPipelines(access.project.id, { status, ref, source, offset: page.offset, limit: page.perPage });
  setOffsetHeaders(c, page, { hasMore: result.hasMore, total: result.total });
  return c.json(result.pipelines.map((pipeline) => ({ ...pipelineBasic(pipeline, access.project), name: pipeline.name ?? null })));
});

const cancel = handlers(authenticated({ required: true }), pipelineIdPath, async (c) => {
  const { pipeline_id: pipelineId } = c.req.valid('param');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'update_build');
  const { jobs } = await findPipeline(access, pipelineId);
  for (const job of latestJobs(jobs)) if (cancelTarget(job)) await cancelJob(job, { force: false });
  const read = (await readPipelineWithJobs(pipelineId))!;
  return c.json(await presentPipeline(access, read.pipeline, read.jobs));
});

/** Retries the pipeline's failed and canceled jobs (GitLab's `RetryPipelineService`). */
const retry = handlers(authenticated({ required: true }), pipelineIdPath, async (c) => {
  const { pipeline_id: pipelineId } = c.req.valid('param');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'update_build');
  const { jobs } = await findPipeline(access, pipelineId);
  const user = requireUser(c.var.principal);
  for (const job of latestJobs(jobs).sort((a, b) => a.id - b.id)) {
    if ((job.status === 'failed' || job.status === 'canceled') && isRetryable(job)) await retryJobWithoutAnswer(job, user);
  }
  const read = (await readPipelineWithJobs(pipelineId))!;
  return c.json(await presentPipeline(access, read.pipeline, read.jobs), 201);
});

export const pipelineBuildsParams = z.object({ scope: jobScope, include_retried: grape.boolean().default(false), ...paginationParams });
const pipelineBridgesParams = z.object({ scope: jobScope, ...paginationParams });

/** A pipeline's builds or bridges, newest first. */
async function listPipelineJobs(c: Context<Authenticated>, type: JobRecord['type'], pipelineId: number, query: z.infer<typeof pipelineBuildsParams>) {
  const { scope: statuses, include_retried: includeRetried, ...paging } = query;
  const page = pageRequest(paging);
  const access = await findProject(c, c.var.principal);
  authorize(access, type === 'build' ? 'read_pipeline' : 'read_build');
  const { jobs } = await findPipeline(access, pipelineId);
  const matching = jobs
    .filter((job) => job.type === type)
    .filter((job) => includeRetried || !job.retried)
    .filter((job) => !statuses || statuses.includes(job.status))
    .sort((a, b) => b.id - a.id);
  const shown = matching.slice(page.offset, page.offset + page.perPage);
  setOffsetHeaders(c, page, { hasMore: matching.length > page.offset + page.perPage, total: matching.length });
  return c.json(await presentJobs(access, shown, type === 'bridge' ? 'bridge' : 'job'));
}

const pipelineBuilds = handlers(authenticated({ required: false, jobTokenAllowed: true }), pipelineIdPath, queryParams(pipelineBuildsParams), (c) =>
  listPipelineJobs(c, 'build', c.req.valid('param').pipeline_id, c.req.valid('query')),
);

const pipelineBridges = handlers(authenticated({ required: false }), pipelineIdPath, queryParams(pipelineBridgesParams), (c) =>
  listPipelineJobs(c, 'bridge', c.req.valid('param').pipeline_id, { ...c.req.valid('query'), include_retried: false }),
);

export function mountPipelinesRoutes(api: GitLabApi): void {
  api.post('/projects/:id/pipeline', ...create);
  api.get('/projects/:id/pipelines', ...list);
  api.get('/projects/:id/pipelines/:pipeline_id', ...show);
  api.post('/projects/:id/pipelines/:pipeline_id/cancel', ...cancel);
  api.post('/projects/:id/pipelines/:pipeline_id/retry', ...retry);
  api.get('/projects/:id/pipelines/:pipeline_id/jobs', ...pipelineBuilds);
  api.get('/projects/:id/pipelines/:pipeline_id/bridges', ...pipelineBridges);
}
