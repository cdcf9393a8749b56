import { ROLE_NAMES } from '../auth/policy';
import type { Principal } from '../auth/principal';
import { notFound } from '../errors';
import { loadContext } from '../entities/context';
import { iso, webUrl } from '../entities/format';
import { jobEntity } from '../entities/job';
import { pipelineUrl } from '../entities/pipeline';
import { avatarUrl } from '../entities/user';
import { fullPath, getMember } from '../store/projects';
import { authenticated } from './request';
import { handlers, route } from './routing';

/** `GET /job` and `GET /job/allowed_agents`: what a CI job token belongs to. */
function requireJob(principal: Principal) {
  if (principal.kind !== 'job') throw notFound('Job');
  return principal;
}

const byJobToken = authenticated({ required: true, jobTokenAllowed: true });

const currentJob = handlers(byJobToken, async (c) => {
  const { job } = requireJob(c.var.principal);
  return c.json(jobEntity(job, await loadContext([job])));
});

const allowedAgents = handlers(byJobToken, async (c) => {
  const { job, user } = requireJob(c.var.principal);
  const [context, member] = await Promise.all([loadContext([job]), user.admin ? undefined : getMember(job.projectId, user.id)]);
  const project = context.projects.get(job.projectId)!;
  const pipeline = context.pipelines.get(job.pipelineId)!;
  const level = user.admin ? 50 : (member?.accessLevel ?? 0);
  const projectShape = {
    id: project.id,
    description: project.description,
    name: project.name,
    name_with_namespace: `${project.namespaceName} / ${project.name}`,
    path: project.path,
    path_with_namespace: fullPath(project),
    created_at: iso(project.createdAt),
  };
  return c.json({
    allowed_agents: [],
    job: { id: job.id, name: job.name, stage: job.stage, project_id: project.id, project_name: project.name },
    pipeline: {
      id: pipeline.id,
      project_id: pipeline.projectId,
      sha: pipeline.sha,
      ref: pipeline.ref,
      status: pipeline.status,
      created_at: iso(pipeline.createdAt),
      updated_at: iso(pipeline.updatedAt),
      web_url: pipelineUrl(project, pipeline.id),
    },
    project: { ...projectShape, groups: [] },
    user: {
      id: user.id,
      name: user.name,
      username: user.username,
      state: user.state,
      avatar_url: avatarUrl(user),
      web_url: webUrl(user.username),
      roles_in_project: Object.entries(ROLE_NAMES)
        .filter(([roleLevel]) => Number(roleLevel) <= level)
        .map(([, name]) => name),
    },
  });
});

route('GET', '/job', currentJob);
route('GET', '/job/allowed_agents', allowedAgents);
