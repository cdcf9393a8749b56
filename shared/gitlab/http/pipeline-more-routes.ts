import * as z from '../../util/zod';
import { forbidden, notFound } from '../errors';
import { pipelineEntity } from '../entities/pipeline';
import { destroyPipeline } from '../services/delete-pipeline';
import { latestJobs } from '../services/process-pipeline';
import { latestProjectPipeline } from '../store/pipeline-list';
import { readPipelineWithJobs } from '../store/pipelines';
import { getUser } from '../store/users';
import type { ProjectAccess } from '../auth/policy';
import * as grape from './grape';
import { authenticated, authorize, findProject } from './request';
import { handlers, type GitLabApi } from './routing';
import { pathParams, queryParams } from './validators';

/** More of `lib/api/ci/pipelines.rb`: the latest pipeline of a ref, a pipeline's variables, deleting a pipeline. */
const pipelineIdPath = pathParams({ pipeline_id: grape.pathInteger() });

async function findPipeline(access: ProjectAccess, pipelineId: number) {
  const read = await readPipelineWithJobs(pipelineId);
  if (!read || read.pipeline.projectId !== access.project.id) throw notFound();
  return read;
}

const latest = handlers(authenticated({ required: false }), queryParams(z.object({ ref: grape.string().optional() })), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_pipeline');
  const ref = c.req.valid('query').ref ?? access.project.defaultBranch;
  const pipeline = ref ? await latestProjectPipeline(access.project.id, ref) : undefined;
  if (!pipeline) throw notFound();
  const { jobs } = await findPipeline(access, pipeline.id);
  return c.json(pipelineEntity(pipeline, access.project, await getUser(pipeline.userId), latestJobs(jobs)));
});

/** The variables the pipeline was created with (`Ci::PipelineVariable`), not the project's. */
const variables = handlers(authenticated({ required: true }), pipelineIdPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  // `read_pipeline_variable`: those who may run pipelines.
  authorize(access, 'update_build');
  const { pipeline } = await findPipeline(access, c.req.valid('param').pipeline_id);
  return c.json(pipeline.variables.map((variable) => ({ variable_type: variable.variableType, key: variable.key, value: variable.value, raw: false })));
});

const remove = handlers(authenticated({ required: true }), pipelineIdPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_pipeline');
  const { pipeline, jobs } = await findPipeline(access, c.req.valid('param').pipeline_id);
  // `destroy_pipeline` is the owner's.
  if (access.level < 50) throw forbidden();
  await destroyPipeline(pipeline, jobs);
  return c.body(null, 204);
});

export function mountPipelineMoreRoutes(api: GitLabApi): void {
  api.get('/projects/:id/pipelines/latest', ...latest);
  api.get('/projects/:id/pipelines/:pipeline_id/variables', ...variables);
  api.delete('/projects/:id/pipelines/:pipeline_id', ...remove);
}
