import { ROLE_NAMES } from '../auth/policy';
import type { Principal } from '../auth/principal';
import { notFound } from '../errors';
import { loadContext } from '../entities/context';
import { jobEntity } from '../entities/job';
import { getMember } from '../store/projects';
import { authenticated } from './request';
import { handlers, type GitLabApi } from './routing';

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

/**
 * GitLab 17's shape: ids only, the project's groups (we have none), the user's roles, and
 * `environment` only when the job deploys to one (ours never do); no cluster agents to allow.
 */
const allowedAgents = handlers(byJobToken, async (c) => {
  const { job, user } = requireJob(c.var.principal);
  const member = user.admin ? undefined : await getMember(job.projectId, user.id);
  const level = user.admin ? 50 : (member?.accessLevel ?? 0);
  return c.json({
    allowed_agents: [],
    job: { id: job.id },
    pipeline: { id: job.pipelineId },
    project: { id: job.projectId, groups: [] },
    user: {
      id: user.id,
      username: user.username,
      roles_in_project: Object.entries(ROLE_NAMES)
        .filter(([roleLevel]) => Number(roleLevel) <= level)
        .map(([, name]) => name),
    },
  });
});

export function mountJobTokenRoutes(api: GitLabApi): void {
  api.get('/job', ...currentJob);
  api.get('/job/allowed_agents', ...allowedAgents);
}
