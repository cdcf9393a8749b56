import * as z from '../../util/zod';
import { loadContext } from '../entities/context';
import { presentJob } from '../entities/job';
import { resourceGroupEntity } from '../entities/resource-group';
import { notFound } from '../errors';
import { changeProcessMode, getResourceGroup, listResourceGroups } from '../services/resource-groups';
import { PROCESS_MODES } from '../state/resource-groups';
import { getJobs } from '../store/jobs';
import * as grape from './grape';
import { authenticated, authorize, findProject } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams } from './validators';

/** Resource groups (`lib/api/ci/resource_groups.rb`, developers): list, show, `process_mode`, upcoming jobs. */
const keyPath = pathParams({ key: z.string() });

const list = handlers(authenticated({ required: true }), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'update_build');
  return c.json((await listResourceGroups(access.project.id)).map(resourceGroupEntity));
});

const show = handlers(authenticated({ required: true }), keyPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'update_build');
  const group = await getResourceGroup(access.project.id, c.req.valid('param').key);
  if (!group) throw notFound();
  return c.json(resourceGroupEntity(group));
});

const update = handlers(authenticated({ required: true }), keyPath, params(z.object({ process_mode: grape.values(PROCESS_MODES).optional() })), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'update_build');
  const { key } = c.req.valid('param');
  const mode = c.var.params.process_mode;
  const group = mode ? await changeProcessMode(access.project.id, key, mode) : await getResourceGroup(access.project.id, key);
  if (!group) throw notFound();
  return c.json(resourceGroupEntity(group));
});

/** The jobs waiting for the group's resource, in the order the process mode hands it out. */
const upcoming = handlers(authenticated({ required: true }), keyPath, async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'update_build');
  const group = await getResourceGroup(access.project.id, c.req.valid('param').key);
  if (!group) throw notFound();
  const jobs = await getJobs(group.waiting.map((entry) => entry.jobId));
  const waiting = group.waiting.flatMap((entry) => (jobs.get(entry.jobId)?.status === 'waiting_for_resource' ? [jobs.get(entry.jobId)!] : []));
  if (group.processMode === 'oldest_first') waiting.sort((a, b) => a.pipelineId - b.pipelineId || a.id - b.id);
  if (group.processMode === 'newest_first') waiting.sort((a, b) => b.pipelineId - a.pipelineId || a.id - b.id);
  const context = await loadContext(waiting, { projects: new Map([[access.project.id, access.project]]) });
  return c.json(waiting.map((job) => presentJob(job, context)));
});

export function mountResourceGroupsRoutes(api: GitLabApi): void {
  api.get('/projects/:id/resource_groups', ...list);
  api.get('/projects/:id/resource_groups/:key', ...show);
  api.put('/projects/:id/resource_groups/:key', ...update);
  api.get('/projects/:id/resource_groups/:key/upcoming_jobs', ...upcoming);
}
