import * as z from '../../util/zod';
import { forbidden, GitLabError, notFound } from '../errors';
import { pipelineEntity } from '../entities/pipeline';
import { triggerEntity } from '../entities/trigger';
import type { ProjectAccess } from '../auth/policy';
import type { TriggerRecord } from '../records';
import { createTrigger, triggerPipeline } from '../services/pipeline-triggers';
import { latestJobs } from '../services/process-pipeline';
import { getProject, getProjectByPath } from '../store/projects';
import { deleteTrigger, getTrigger, listTriggers, putTrigger } from '../store/triggers';
import { getUser } from '../store/users';
import * as grape from './grape';
import { checkParams } from './grape';
import { pageRequest, paginationParams, setOffsetHeaders } from './pagination';
import { authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';
import { rackParams } from './rack-params';

/** Pipeline trigger tokens (`lib/api/ci/triggers.rb`): manage them, and run pipelines with them. */

/** `admin_trigger`: the trigger's owner, while a maintainer, sees and changes the whole token. */
function administers(access: ProjectAccess, trigger: TriggerRecord): boolean {
  return access.principal.kind === 'user' && access.principal.user.id === trigger.ownerId && access.level >= 40;
}

async function present(access: ProjectAccess, trigger: TriggerRecord) {
  return triggerEntity(trigger, await getUser(trigger.ownerId), administers(access, trigger));
}

const triggerIdPath = pathParams({ trigger_id: grape.pathInteger() });

async function findTrigger(access: ProjectAccess, id: number): Promise<TriggerRecord> {
  const trigger = await getTrigger(access.project.id, id);
  if (!trigger) throw notFound();
  return trigger;
}

const list = handlers(authenticated({ required: true }), queryParams(z.object(paginationParams)), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_build');
  const page = pageRequest(c.req.valid('query'));
  const triggers = await listTriggers(access.project.id);
  setOffsetHeaders(c, page, { hasMore: triggers.length > page.offset + page.perPage, total: triggers.length });
  return c.json(await Promise.all(triggers.slice(page.offset, page.offset + page.perPage).map((trigger) => present(access, trigger))));
});

const show = handlers(authenticated({ required: true }), triggerIdPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_build');
  return c.json(await present(access, await findTrigger(access, c.req.valid('param').trigger_id)));
});

export const createParams = z.object({ description: grape.boundedString(255) });

const create = handlers(authenticated({ required: true }), params(createParams), async (c) => {
  const access = await findProject(c, c.var.principal);
  // `manage_trigger`; the create service says why.
  if (access.level < 40) throw forbidden('The current user is not authorized to create a pipeline trigger token');
  const trigger = await createTrigger(access.project, requireUser(c.var.principal), c.var.params.description);
  return c.json(await present(access, trigger), 201);
});

const update = handlers(authenticated({ required: true }), triggerIdPath, params(z.object({ description: grape.boundedString(255).optional() })), async (c) => {
  const access = await findProject(c, c.var.principal);
  const trigger = await findTrigger(access, c.req.valid('param').trigger_id);
  if (!administers(access, trigger)) throw forbidden('The current user is not authorized to manage the pipeline trigger token');
  const { description } = c.var.params;
  const updated = description === undefined ? trigger : { ...trigger, description, updatedAt: Date.now() };
  if (updated !== trigger) await putTrigger(updated);
  return c.json(await present(access, updated));
});

const remove = handlers(authenticated({ required: true }), triggerIdPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  if (access.level < 40) throw forbidden();
  await deleteTrigger(await findTrigger(access, c.req.valid('param').trigger_id));
  return c.body(null, 204);
});

const isStringMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const triggerParams = z.object({
  ref: grape.string().refine((ref) => ref.trim() !== '', 'is empty'),
  token: grape.string(),
  variables: z.custom<Record<string, unknown>>(isStringMap, 'is invalid').meta({ type: 'object', additionalProperties: { type: 'string' } }).optional(),
});

/**
 * `POST /projects/:id/(ref/:ref/)trigger/pipeline`: no user authentication, the token is the
 * credential, and any project is looked up (a token of another project answers 404 all the same).
 */
const run = handlers(async (c) => {
  const raw = await rackParams(c);
  const pathRef = c.req.param('ref');
  const { ref, token, variables = {} } = checkParams(triggerParams, pathRef === undefined ? raw : { ...raw, ref: pathRef });
  // GitLab refuses its own pipeline webhooks pointed back at the trigger API.
  if (c.req.header('X-Gitlab-Event') === 'Pipeline Hook') throw forbidden();
  if (!Object.values(variables).every((value) => typeof value === 'string')) throw new GitLabError(400, { message: 'variables needs to be a map of key-valued strings' });
  const id = c.req.param('id') ?? '';
  const project = /^\d+$/.test(id) ? await getProject(Number(id)) : await getProjectByPath(id);
  if (!project || project.pendingDelete) throw new GitLabError(404, { message: '404 Not Found' });
  const result = await triggerPipeline({ project, token, ref, variables: variables as Record<string, string>, payload: { ref, id, variables } });
  if (!result) throw new GitLabError(404, { message: '404 Not Found' });
  return c.json(pipelineEntity(result.pipeline, project, result.user, latestJobs(result.jobs)), 201);
});

export function mountTriggersRoutes(api: GitLabApi): void {
  api.get('/projects/:id/triggers', ...list);
  api.get('/projects/:id/triggers/:trigger_id', ...show);
  api.post('/projects/:id/triggers', ...create);
  api.put('/projects/:id/triggers/:trigger_id', ...update);
  api.delete('/projects/:id/triggers/:trigger_id', ...remove);
  api.post('/projects/:id/trigger/pipeline', ...run);
  api.post('/projects/:id/ref/:ref{.+}/trigger/pipeline', ...run);
}
