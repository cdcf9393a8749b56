import * as z from '../../util/zod';
import { can, type ProjectAccess } from '../auth/policy';
import { pipelineScheduleDetails, pipelineScheduleEntity, scheduleVariableEntity } from '../entities/pipeline-schedule';
import { forbidden, GitLabError, notFound, validationError } from '../errors';
import type { PipelineScheduleRecord, PipelineVariable } from '../records';
import { playSchedule } from '../services/pipeline-schedules';
import { isValidCron, isValidCronTimezone, nextRunAfter } from '../state/cron-schedule';
import { TransactionConflict } from '../../storage/transact';
import { nextId } from '../store/counters';
import { getPipelines } from '../store/pipelines';
import { listProjectPipelines } from '../store/pipeline-list';
import { pipelineBasic } from '../entities/pipeline';
import { JOB_STATUSES } from '../state/statuses';
import { deleteSchedule, getSchedule, insertSchedule, listSchedules, replaceSchedule } from '../store/pipeline-schedules';
import { getUser, getUsers } from '../store/users';
import { variableErrors } from '../validations/variables';
import * as grape from './grape';
import { pageRequest, paginationParams, setOffsetHeaders } from './pagination';
import { authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/** Pipeline schedules (`lib/api/ci/pipeline_schedules.rb`) and their variables; the periodic duties run them. */

const schedulePath = pathParams({ pipeline_schedule_id: grape.pathInteger() });
const variablePath = pathParams({ pipeline_schedule_id: grape.pathInteger(), key: z.string() });

/** `Ci::PipelineSchedulePolicy`: the owner (a developer) or a maintainer administers it; only the owner (or an administrator) edits it. */
function isOwner(access: ProjectAccess, schedule: PipelineScheduleRecord): boolean {
  return access.principal.kind === 'user' && access.principal.user.id === schedule.ownerId;
}
const administers = (access: ProjectAccess, schedule: PipelineScheduleRecord) => access.level >= 40 || (isOwner(access, schedule) && access.level >= 30);
const mayUpdate = (access: ProjectAccess, schedule: PipelineScheduleRecord) => access.admin || (isOwner(access, schedule) && access.level >= 30);

async function findSchedule(access: ProjectAccess, id: number): Promise<PipelineScheduleRecord> {
  const schedule = await getSchedule(access.project.id, id);
  if (!schedule || !can(access, 'read_pipeline')) throw notFound('Pipeline Schedule');
  return schedule;
}

/**
 * Writes `change(schedule)` over the schedule as it was read, again from a fresh read if it changed
 * meanwhile (a run of the periodic duties moves its next run). `change` checks and may throw.
 */
async function changeSchedule(
  access: ProjectAccess,
  id: number,
  change: (schedule: PipelineScheduleRecord) => PipelineScheduleRecord,
): Promise<PipelineScheduleRecord> {
  for (let attempt = 0; ; attempt++) {
    const schedule = await findSchedule(access, id);
    const changed = change(schedule);
    if (changed === schedule) return schedule;
    try {
      await replaceSchedule(schedule, changed);
      return changed;
    } catch (error) {
      if (!(error instanceof TransactionConflict) || attempt >= 4) throw error;
    }
  }
}

async function details(access: ProjectAccess, schedule: PipelineScheduleRecord) {
  const [owner, pipelines] = await Promise.all([getUser(schedule.ownerId), getPipelines(schedule.lastPipelineId ? [schedule.lastPipelineId] : [])]);
  const last = schedule.lastPipelineId ? pipelines.get(schedule.lastPipelineId) : undefined;
  return pipelineScheduleDetails(schedule, owner, access.project, last, administers(access, schedule));
}

/** The model's validations (`render_validation_error!`), in its order. */
function checkSchedule(schedule: Pick<PipelineScheduleRecord, 'description' | 'ref' | 'cron' | 'cronTimezone'>): void {
  const errors: Record<string, string[]> = {};
  // `validates :cron, cron: true, presence: true`: the syntax check runs first, on a blank value too.
  const cron = [...(isValidCron(schedule.cron) ? [] : [' is invalid syntax']), ...(schedule.cron.trim() === '' ? ["can't be blank"] : [])];
  if (cron.length > 0) errors.cron = cron;
  const zone = [...(isValidCronTimezone(schedule.cronTimezone) ? [] : [' is invalid syntax']), ...(schedule.cronTimezone.trim() === '' ? ["can't be blank"] : [])];
  if (zone.length > 0) errors.cron_timezone = zone;
  if (schedule.ref.trim() === '') errors.ref = ["can't be blank"];
  if (schedule.description.trim() === '') errors.description = ["can't be blank"];
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

const notBlank = () => grape.string().refine((value) => value.trim() !== '', 'is empty');

export const listParams = z.object({ scope: grape.values(['active', 'inactive']).optional(), ...paginationParams });

const list = handlers(authenticated({ required: true }), queryParams(listParams), async (c) => {
  const { scope, ...paging } = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_pipeline');
  const page = pageRequest(paging);
  const schedules = (await listSchedules(access.project.id)).reverse().filter((schedule) => !scope || schedule.active === (scope === 'active'));
  const shown = schedules.slice(page.offset, page.offset + page.perPage);
  const owners = await getUsers(shown.map((schedule) => schedule.ownerId));
  setOffsetHeaders(c, page, { hasMore: schedules.length > page.offset + page.perPage, total: schedules.length });
  return c.json(shown.map((schedule) => pipelineScheduleEntity(schedule, owners.get(schedule.ownerId))));
});

const show = handlers(authenticated({ required: true }), schedulePath, async (c) => {
  const access = await findProject(c, c.var.principal);
  return c.json(await details(access, await findSchedule(access, c.req.valid('param').pipeline_schedule_id)));
});

export const createParams = z.object({
  description: grape.string(),
  ref: notBlank(),
  cron: grape.string(),
  cron_timezone: grape.string().default('UTC'),
  active: grape.boolean().default(true),
});

const create = handlers(authenticated({ required: true }), params(createParams), async (c) => {
  const input = c.var.params;
  const access = await findProject(c, c.var.principal);
  authorize(access, 'create_pipeline');
  const now = Date.now();
  const fields = { description: input.description, ref: input.ref, cron: input.cron, cronTimezone: input.cron_timezone };
  checkSchedule(fields);
  const schedule: PipelineScheduleRecord = {
    id: await nextId('schedule'),
    projectId: access.project.id,
    ...fields,
    nextRunAt: nextRunAfter(fields.cron, fields.cronTimezone, now),
    active: input.active,
    ownerId: requireUser(c.var.principal).id,
    variables: [],
    lastPipelineId: null,
    createdAt: now,
    updatedAt: now,
  };
  await insertSchedule(schedule);
  return c.json(await details(access, schedule), 201);
});

export const updateParams = z.object({
  description: grape.string().optional(),
  ref: grape.string().optional(),
  cron: grape.string().optional(),
  cron_timezone: grape.string().optional(),
  active: grape.boolean().optional(),
});

const update = handlers(authenticated({ required: true }), schedulePath, params(updateParams), async (c) => {
  const input = c.var.params;
  const access = await findProject(c, c.var.principal);
  const changed = await changeSchedule(access, c.req.valid('param').pipeline_schedule_id, (schedule) => {
    if (!mayUpdate(access, schedule)) throw forbidden();
    const now = Date.now();
    const next: PipelineScheduleRecord = {
      ...schedule,
      description: input.description ?? schedule.description,
      ref: input.ref ?? schedule.ref,
      cron: input.cron ?? schedule.cron,
      cronTimezone: input.cron_timezone ?? schedule.cronTimezone,
      active: input.active ?? schedule.active,
      updatedAt: now,
    };
    checkSchedule(next);
    // GitLab reschedules on every save.
    return { ...next, nextRunAt: nextRunAfter(next.cron, next.cronTimezone, now) };
  });
  return c.json(await details(access, changed));
});

const takeOwnership = handlers(authenticated({ required: true }), schedulePath, async (c) => {
  const access = await findProject(c, c.var.principal);
  const user = requireUser(c.var.principal);
  let alreadyOwned = false;
  const owned = await changeSchedule(access, c.req.valid('param').pipeline_schedule_id, (schedule) => {
    if (!administers(access, schedule)) throw forbidden();
    alreadyOwned = isOwner(access, schedule);
    return alreadyOwned ? schedule : { ...schedule, ownerId: user.id, updatedAt: Date.now() };
  });
  return c.json(await details(access, owned), alreadyOwned ? 200 : 201);
});

const remove = handlers(authenticated({ required: true }), schedulePath, async (c) => {
  const access = await findProject(c, c.var.principal);
  const schedule = await findSchedule(access, c.req.valid('param').pipeline_schedule_id);
  if (!administers(access, schedule)) throw forbidden();
  await deleteSchedule(schedule);
  return c.body(null, 204);
});

const play = handlers(authenticated({ required: true }), schedulePath, async (c) => {
  const access = await findProject(c, c.var.principal);
  const schedule = await findSchedule(access, c.req.valid('param').pipeline_schedule_id);
  authorize(access, 'create_pipeline');
  try {
    await playSchedule(schedule, access.project, requireUser(c.var.principal));
  } catch (error) {
    // GitLab runs the schedule in the background and answers 201 whatever the pipeline becomes.
    if (!(error instanceof GitLabError)) throw error;
  }
  return c.json({ message: '201 Created' }, 201);
});

/** The schedule's variables: set by those who may update it (and set pipeline variables), read by those who administer it. */
const variableParams = z.object({ key: grape.string(), value: grape.string(), variable_type: grape.values(['env_var', 'file']).default('env_var') });

function checkVariable(variable: PipelineVariable, others: PipelineVariable[]): void {
  const errors = variableErrors([variable]).map((message) => message.replace(/^Variables key /, '').replace(/^Variables value /, ''));
  if (others.some((other) => other.key === variable.key)) errors.unshift(`(${variable.key}) has already been taken`);
  if (errors.length > 0) throw validationError({ key: errors });
}

function findVariable(schedule: PipelineScheduleRecord, key: string): PipelineVariable {
  const variable = schedule.variables.find((candidate) => candidate.key === key);
  if (!variable) throw notFound('Pipeline Schedule Variable');
  return variable;
}

const createVariable = handlers(authenticated({ required: true }), schedulePath, params(variableParams), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'create_pipeline');
  const { key, value, variable_type: variableType } = c.var.params;
  const variable: PipelineVariable = { key, value, variableType };
  await changeSchedule(access, c.req.valid('param').pipeline_schedule_id, (schedule) => {
    if (!mayUpdate(access, schedule)) throw forbidden();
    checkVariable(variable, schedule.variables);
    return { ...schedule, variables: [...schedule.variables, variable], updatedAt: Date.now() };
  });
  return c.json(scheduleVariableEntity(variable), 201);
});

const showVariable = handlers(authenticated({ required: true }), variablePath, async (c) => {
  const access = await findProject(c, c.var.principal);
  const schedule = await findSchedule(access, c.req.valid('param').pipeline_schedule_id);
  if (!administers(access, schedule)) throw forbidden();
  return c.json(scheduleVariableEntity(findVariable(schedule, c.req.valid('param').key)));
});

const updateVariable = handlers(
  authenticated({ required: true }),
  variablePath,
  params(z.object({ value: grape.string().optional(), variable_type: grape.values(['env_var', 'file']).optional() })),
  async (c) => {
    const access = await findProject(c, c.var.principal);
    authorize(access, 'create_pipeline');
    const { pipeline_schedule_id: id, key } = c.req.valid('param');
    let changed: PipelineVariable | undefined;
    await changeSchedule(access, id, (schedule) => {
      if (!mayUpdate(access, schedule)) throw forbidden();
      const variable = findVariable(schedule, key);
      const updated: PipelineVariable = { ...variable, value: c.var.params.value ?? variable.value, variableType: c.var.params.variable_type ?? variable.variableType };
      checkVariable(updated, schedule.variables.filter((other) => other !== variable));
      changed = updated;
      return { ...schedule, variables: schedule.variables.map((other) => (other === variable ? updated : other)), updatedAt: Date.now() };
    });
    return c.json(scheduleVariableEntity(changed!));
  },
);

const removeVariable = handlers(authenticated({ required: true }), variablePath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'create_pipeline');
  const { pipeline_schedule_id: id, key } = c.req.valid('param');
  let removed: PipelineVariable | undefined;
  await changeSchedule(access, id, (schedule) => {
    if (!administers(access, schedule)) throw forbidden();
    const variable = findVariable(schedule, key);
    removed = variable;
    return { ...schedule, variables: schedule.variables.filter((other) => other !== variable), updatedAt: Date.now() };
  });
  return c.json(scheduleVariableEntity(removed!), 202);
});

const pipelinesParams = z.object({ status: grape.values(JOB_STATUSES).optional(), sort: grape.values(['asc', 'desc']).default('asc'), ...paginationParams });

/** The pipelines the schedule created, oldest first by default (`Ci::PipelinesFinder` with `pipeline_schedules`). */
const pipelines = handlers(authenticated({ required: true }), schedulePath, queryParams(pipelinesParams), async (c) => {
  const { status, sort, ...paging } = c.req.valid('query');
  const access = await findProject(c, c.var.principal);
  const schedule = await findSchedule(access, c.req.valid('param').pipeline_schedule_id);
  const page = pageRequest(paging);
  const result = await listProjectPipelines(access.project.id, { scheduleId: schedule.id, status, ascending: sort === 'asc', offset: page.offset, limit: page.perPage });
  setOffsetHeaders(c, page, { hasMore: result.hasMore, total: result.total });
  return c.json(result.pipelines.map((pipeline) => pipelineBasic(pipeline, access.project)));
});

export function mountPipelineSchedulesRoutes(api: GitLabApi): void {
  api.get('/projects/:id/pipeline_schedules', ...list);
  api.get('/projects/:id/pipeline_schedules/:pipeline_schedule_id/pipelines', ...pipelines);
  api.post('/projects/:id/pipeline_schedules', ...create);
  api.get('/projects/:id/pipeline_schedules/:pipeline_schedule_id', ...show);
  api.put('/projects/:id/pipeline_schedules/:pipeline_schedule_id', ...update);
  api.delete('/projects/:id/pipeline_schedules/:pipeline_schedule_id', ...remove);
  api.post('/projects/:id/pipeline_schedules/:pipeline_schedule_id/take_ownership', ...takeOwnership);
  api.post('/projects/:id/pipeline_schedules/:pipeline_schedule_id/play', ...play);
  api.post('/projects/:id/pipeline_schedules/:pipeline_schedule_id/variables', ...createVariable);
  api.get('/projects/:id/pipeline_schedules/:pipeline_schedule_id/variables/:key', ...showVariable);
  api.put('/projects/:id/pipeline_schedules/:pipeline_schedule_id/variables/:key', ...updateVariable);
  api.delete('/projects/:id/pipeline_schedules/:pipeline_schedule_id/variables/:key', ...removeVariable);
}
