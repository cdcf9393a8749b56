import * as z from '../../util/zod';
import { loadContext } from '../entities/context';
import { deploymentEntity, environmentEntity } from '../entities/environment';
import { forbidden, notFound, validationError } from '../errors';
import { createEnvironment, projectDeployments } from '../services/environments';
import { stopEnvironment } from '../services/environment-stop';
import { deleteEnvironment } from '../store/environments';
import { deploymentStatus } from '../state/environments';
import * as grape from './grape';
import { pageRequest, paginationParams, setOffsetHeaders } from './pagination';
import { authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams, queryParams } from './validators';

/** Environments and deployments (`lib/api/environments.rb`, `lib/api/deployments.rb`), read by reporters. */
const STATES = ['available', 'stopping', 'stopped'] as const;
const DEPLOYMENT_STATUSES = ['created', 'running', 'success', 'failed', 'canceled', 'skipped', 'blocked'] as const;
const DEPLOYMENT_ORDERS = ['id', 'iid', 'created_at', 'updated_at', 'finished_at', 'ref'] as const;

function page<T>(c: Parameters<typeof setOffsetHeaders>[0], query: { page: number; per_page: number }, all: T[]): T[] {
  const request = pageRequest(query);
  setOffsetHeaders(c, request, { hasMore: all.length > request.offset + request.perPage, total: all.length });
  return all.slice(request.offset, request.offset + request.perPage);
}

const environmentsQuery = z.object({ ...paginationParams, name: grape.string().optional(), search: grape.string().optional(), states: grape.values(STATES).optional() });

const listEnvironments = handlers(authenticated({ required: false }), queryParams(environmentsQuery), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_build');
  const query = c.req.valid('query');
  if (query.name !== undefined && query.search !== undefined) return c.json({ error: 'name, search are mutually exclusive' }, 400);
  const { environments } = await projectDeployments(access.project.id);
  const matching = environments.filter(
    (view) =>
      (query.name === undefined || view.environment.name === query.name) &&
      (query.search === undefined || view.environment.name.includes(query.search)) &&
      (query.states === undefined || view.state === query.states),
  );
  return c.json(page(c, query, matching).map(environmentEntity));
});

const showEnvironment = handlers(authenticated({ required: false }), pathParams({ environment_id: grape.pathInteger() }), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_build');
  const { environments } = await projectDeployments(access.project.id);
  const view = environments.find((candidate) => candidate.environment.id === c.req.valid('param').environment_id);
  if (!view) throw notFound('Environment');
  const last = view.lastDeployment;
  const context = await loadContext(last?.job ? [last.job] : [], { projects: new Map([[access.project.id, access.project]]) });
  return c.json({ ...environmentEntity(view), last_deployment: last ? deploymentEntity(last, view, context) : null });
});

const deploymentsQuery = z.object({
  ...paginationParams,
  order_by: grape.values(DEPLOYMENT_ORDERS).default('id'),
  sort: grape.values(['asc', 'desc']).default('asc'),
  environment: grape.string().optional(),
  status: grape.values(DEPLOYMENT_STATUSES).optional(),
});

const listDeployments = handlers(authenticated({ required: false }), queryParams(deploymentsQuery), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_build');
  const query = c.req.valid('query');
  const { environments, deployments } = await projectDeployments(access.project.id);
  const key = (view: (typeof deployments)[number]): string | number => {
    switch (query.order_by) {
      case 'iid':
        return view.deployment.iid;
      case 'created_at':
        return view.deployment.createdAt;
      case 'updated_at':
        return view.job?.updatedAt ?? view.deployment.createdAt;
      case 'finished_at':
        return view.job?.finishedAt ?? 0;
      case 'ref':
        return view.deployment.ref;
      default:
        return view.deployment.id;
    }
  };
  const matching = deployments
    .filter((view) => (query.environment === undefined || view.deployment.environmentName === query.environment) && (query.status === undefined || deploymentStatus(view.job?.status ?? 'canceled') === query.status))
    .sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const order = x < y ? -1 : x > y ? 1 : a.deployment.id - b.deployment.id;
      return query.sort === 'asc' ? order : -order;
    });
  const shown = page(c, query, matching);
  const context = await loadContext(shown.flatMap((view) => (view.job ? [view.job] : [])), { projects: new Map([[access.project.id, access.project]]) });
  const byId = new Map(environments.map((view) => [view.environment.id, view]));
  return c.json(shown.map((view) => deploymentEntity(view, byId.get(view.deployment.environmentId), context)));
});

const showDeployment = handlers(authenticated({ required: false }), pathParams({ deployment_id: grape.pathInteger() }), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_build');
  const { environments, deployments } = await projectDeployments(access.project.id);
  const view = deployments.find((candidate) => candidate.deployment.id === c.req.valid('param').deployment_id);
  if (!view) throw notFound('Deployment');
  const context = await loadContext(view.job ? [view.job] : [], { projects: new Map([[access.project.id, access.project]]) });
  return c.json(deploymentEntity(view, environments.find((candidate) => candidate.environment.id === view.deployment.environmentId), context));
});

const createParams = z.object({ name: grape.string(), external_url: grape.string().optional(), tier: grape.values(['production', 'staging', 'testing', 'development', 'other']).optional() });

const create = handlers(authenticated({ required: true }), params(createParams), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'update_build');
  const { name, external_url: externalUrl, tier } = c.var.params;
  const created = await createEnvironment(access.project.id, { name, externalUrl: externalUrl ?? null, tier: tier ?? null });
  if (!('id' in created)) throw validationError(created as Record<string, string[]>);
  const { environments } = await projectDeployments(access.project.id);
  return c.json(environmentEntity(environments.find((view) => view.environment.id === created.id)!), 201);
});

const stop = handlers(authenticated({ required: true }), pathParams({ environment_id: grape.pathInteger() }), params(z.object({ force: grape.boolean().optional() })), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'update_build');
  const id = c.req.valid('param').environment_id;
  const view = (await projectDeployments(access.project.id)).environments.find((candidate) => candidate.environment.id === id);
  if (!view) throw notFound('Environment');
  await stopEnvironment(view, requireUser(c.var.principal), c.var.params.force ?? false);
  const after = (await projectDeployments(access.project.id)).environments.find((candidate) => candidate.environment.id === id)!;
  return c.json(environmentEntity(after));
});

/** Only a stopped environment may be deleted (GitLab's `destroy_environment`); its deployments go with it. */
const remove = handlers(authenticated({ required: true }), pathParams({ environment_id: grape.pathInteger() }), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'update_build');
  const id = c.req.valid('param').environment_id;
  const { environments, deployments } = await projectDeployments(access.project.id);
  const view = environments.find((candidate) => candidate.environment.id === id);
  if (!view) throw notFound('Environment');
  if (view.state !== 'stopped') throw forbidden();
  await deleteEnvironment(view.environment, deployments.filter((deployment) => deployment.deployment.environmentId === id).map((deployment) => deployment.deployment));
  return c.body(null, 204);
});

export function mountEnvironmentsRoutes(api: GitLabApi): void {
  api.get('/projects/:id/environments', ...listEnvironments);
  api.get('/projects/:id/environments/:environment_id', ...showEnvironment);
  api.get('/projects/:id/deployments', ...listDeployments);
  api.get('/projects/:id/deployments/:deployment_id', ...showDeployment);
  api.post('/projects/:id/environments', ...create);
  api.delete('/projects/:id/environments/:environment_id', ...remove);
  api.post('/projects/:id/environments/:environment_id/stop', ...stop);
}
