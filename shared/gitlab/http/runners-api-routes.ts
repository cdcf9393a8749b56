import type { Context } from 'hono';
import * as z from '../../util/zod';
import { forbidden, GitLabError } from '../errors';
import { loadContext } from '../entities/context';
import { jobBasicWithProject } from '../entities/job';
import { runnerDetailsEntity, runnerEntity } from '../entities/runner';
import type { RunnerRecord, UserRecord } from '../records';
import {
  assignRunner,
  authorizeShow,
  authorizeUpdate,
  findRunner,
  removeRunner,
  runnerAccess,
  unassignRunner,
  updateRunnerSettings,
  type RunnerAccess,
  type RunnerChanges,
} from '../services/runner-admin';
import { filterRunners, RUNNER_SCOPES, RUNNER_STATUSES_INCL_DEPRECATED, RUNNER_TYPES, type RunnerScope } from '../state/runner-status';
import { JOB_STATUSES } from '../state/statuses';
import { listRunnerJobs } from '../store/jobs';
import { getProjects, listAllProjects, membershipsOf } from '../store/projects';
import { getRunner, listRunners } from '../store/runners';
import { getUsers } from '../store/users';
import * as grape from './grape';
import { pageRequest, paginationParams, setOffsetHeaders, type PageRequest } from './pagination';
import { adminOnly, authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/** The Runners API (`lib/api/ci/runners.rb`): listing, showing, changing and assigning runners. */

/** `a,b` or a list (`CommaSeparatedToArray`). */
const commaList = z.preprocess((value) => (typeof value === 'string' ? value.split(',') : value), grape.stringList()).transform((tags) => tags.map((tag) => tag.trim()).filter(Boolean));

export const filterParams = z.object({
  scope: grape.values(RUNNER_SCOPES).optional(),
  type: grape.values(RUNNER_TYPES).optional(),
  paused: grape.boolean().optional(),
  status: grape.values(RUNNER_STATUSES_INCL_DEPRECATED).optional(),
  tag_list: commaList.optional(),
  version_prefix: grape.string().refine((prefix) => /^[\d+.]+/.test(prefix), 'is invalid').optional(),
  ...paginationParams,
});

type Filters = z.infer<typeof filterParams>;

/** GitLab's `filter_runners`: a scope outside what the endpoint allows is a 400. */
function scopesOf(query: Filters, allowedScopes: readonly string[]): RunnerScope[] {
  if (query.scope !== undefined && !allowedScopes.includes(query.scope)) throw new GitLabError(400, { message: 'Scope contains invalid value' });
  const scopes: RunnerScope[] = [];
  if (query.scope) scopes.push(query.scope);
  if (query.type) scopes.push(query.type);
  if (query.status) scopes.push(query.status);
  if (query.paused !== undefined) scopes.push(query.paused ? 'paused' : 'active');
  return scopes;
}

function presentPage(c: Context, runners: RunnerRecord[], query: Filters, allowedScopes: readonly string[]) {
  const now = Date.now();
  const matching = filterRunners(runners, { scopes: scopesOf(query, allowedScopes), tagList: query.tag_list, versionPrefix: query.version_prefix }, now);
  const page: PageRequest = pageRequest(query);
  setOffsetHeaders(c, page, { hasMore: matching.length > page.offset + page.perPage, total: matching.length });
  return c.json(matching.slice(page.offset, page.offset + page.perPage).map((runner) => runnerEntity(runner, now)));
}

/** Project runners of the projects the user maintains (GitLab's `ci_owned_runners`; no groups here). */
async function ownedRunners(user: UserRecord): Promise<RunnerRecord[]> {
  const runners = await listRunners();
  const memberships = await membershipsOf(user.id, runners.flatMap((runner) => runner.projectIds));
  return runners.filter((runner) => runner.runnerType === 'project_type' && runner.projectIds.some((id) => (memberships.get(id)?.accessLevel ?? 0) >= 40));
}

const owned = handlers(authenticated({ required: true }), queryParams(filterParams), async (c) => {
  const user = requireUser(c.var.principal);
  return presentPage(c, await ownedRunners(user), c.req.valid('query'), RUNNER_STATUSES_INCL_DEPRECATED);
});

const all = handlers(authenticated({ required: true }), adminOnly, queryParams(filterParams), async (c) => presentPage(c, await listRunners(), c.req.valid('query'), RUNNER_SCOPES));

const runnerIdPath = pathParams({ id: grape.pathInteger() });

async function presentDetails(c: Context, runner: RunnerRecord, access: RunnerAccess, user: UserRecord) {
  // The runner's projects the viewer may see: all of them for administrators, else those they are a member of.
  const visibleIds = access.admin ? runner.projectIds : [...(await membershipsOf(user.id, runner.projectIds)).keys()];
  const projects = [...(await getProjects(visibleIds)).values()].filter((project) => !project.pendingDelete).sort((a, b) => a.id - b.id);
  const owners = await getUsers(projects.map((project) => project.creatorId));
  return c.json(runnerDetailsEntity(runner, Date.now(), { projects: projects.map((project) => ({ project, owner: owners.get(project.creatorId) })), canUpdate: access.owns }));
}

const show = handlers(authenticated({ required: true }), runnerIdPath, async (c) => {
  const user = requireUser(c.var.principal);
  const runner = await findRunner(c.req.valid('param').id);
  const access = await runnerAccess(c.var.principal, runner);
  authorizeShow(runner, access);
  return presentDetails(c, runner, access, user);
});

const UPDATABLE = ['description', 'active', 'paused', 'tag_list', 'run_untagged', 'locked', 'access_level', 'maximum_timeout', 'maintenance_note'] as const;

const updateParams = z
  .object({
    description: grape.string().optional(),
    active: grape.boolean().optional(),
    paused: grape.boolean().optional(),
    tag_list: commaList.optional(),
    run_untagged: grape.boolean().optional(),
    locked: grape.boolean().optional(),
    access_level: grape.values(['not_protected', 'ref_protected']).optional(),
    maximum_timeout: grape.integer(z.int().optional()),
    maintenance_note: grape.string().optional(),
  })
  .refine((changes) => UPDATABLE.some((name) => changes[name] !== undefined), {
    message: `${UPDATABLE.join(', ')} are missing, at least one parameter must be provided`,
    ...grape.besideOtherFaults,
  })
  .refine((changes) => changes.active === undefined || changes.paused === undefined, { message: 'active, paused are mutually exclusive', ...grape.besideOtherFaults });

const update = handlers(authenticated({ required: true }), runnerIdPath, params(updateParams), async (c) => {
  const user = requireUser(c.var.principal);
  const input = c.var.params;
  const runner = await findRunner(c.req.valid('param').id);
  const access = await runnerAccess(c.var.principal, runner);
  authorizeUpdate(access);
  const changes: RunnerChanges = {
    description: input.description,
    paused: input.paused ?? (input.active === undefined ? undefined : !input.active),
    tagList: input.tag_list === undefined ? undefined : [...new Set(input.tag_list)],
    runUntagged: input.run_untagged,
    locked: input.locked,
    accessLevel: input.access_level,
    maximumTimeout: input.maximum_timeout,
    maintenanceNote: input.maintenance_note,
  };
  return presentDetails(c, await updateRunnerSettings(runner, changes), access, user);
});

const remove = handlers(authenticated({ required: true }), runnerIdPath, async (c) => {
  const runner = await findRunner(c.req.valid('param').id);
  await removeRunner(runner, await runnerAccess(c.var.principal, runner));
  return c.body(null, 204);
});

const jobsParams = z.object({
  status: grape.values(JOB_STATUSES).optional(),
  order_by: grape.values(['id']).optional(),
  sort: grape.values(['asc', 'desc']).default('desc'),
  system_id: grape.string().optional(),
  ...paginationParams,
});

/** The builds a runner took, in projects where the viewer is at least a reporter (all for administrators). */
const jobs = handlers(authenticated({ required: true }), runnerIdPath, queryParams(jobsParams), async (c) => {
  const user = requireUser(c.var.principal);
  const query = c.req.valid('query');
  const runner = await findRunner(c.req.valid('param').id);
  const access = await runnerAccess(c.var.principal, runner);
  if (!access.owns) throw forbidden('No access granted');
  let projectIds: Set<number> | undefined;
  if (!access.admin) {
    const projects = await listAllProjects();
    const memberships = await membershipsOf(user.id, projects.map((project) => project.id));
    projectIds = new Set([...memberships.values()].filter((member) => member.accessLevel >= 20).map((member) => member.projectId));
  }
  const page = pageRequest(query);
  const { jobs: shown, total } = await listRunnerJobs(runner.id, { statuses: query.status ? [query.status] : undefined, projectIds, sort: query.sort, offset: page.offset, limit: page.perPage });
  setOffsetHeaders(c, page, { hasMore: total > page.offset + page.perPage, total });
  const context = await loadContext(shown);
  return c.json(shown.map((job) => jobBasicWithProject(job, context)));
});

/** Project runners of the project and the instance runners (shared runners are always on here). */
const projectRunners = handlers(authenticated({ required: true }), queryParams(filterParams), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_project');
  const runners = (await listRunners()).filter((runner) => runner.runnerType === 'instance_type' || runner.projectIds.includes(access.project.id));
  return presentPage(c, runners, c.req.valid('query'), RUNNER_SCOPES);
});

const enable = handlers(authenticated({ required: true }), params(z.object({ runner_id: grape.integer(z.int()) })), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_project');
  const runner = await findRunner(c.var.params.runner_id);
  const assigned = await assignRunner(runner, access.project, await runnerAccess(c.var.principal, runner));
  return c.json(runnerEntity(assigned, Date.now()), 201);
});

const disable = handlers(authenticated({ required: true }), pathParams({ runner_id: grape.pathInteger() }), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_project');
  await unassignRunner(await getRunner(c.req.valid('param').runner_id), access.project);
  return c.body(null, 204);
});

export function mountRunnersApiRoutes(api: GitLabApi): void {
  api.get('/runners', ...owned);
  api.get('/runners/all', ...all);
  api.get('/runners/:id', ...show);
  api.put('/runners/:id', ...update);
  api.delete('/runners/:id', ...remove);
  api.get('/runners/:id/jobs', ...jobs);
  api.get('/projects/:id/runners', ...projectRunners);
  api.post('/projects/:id/runners', ...enable);
  api.delete('/projects/:id/runners/:runner_id', ...disable);
}
