import * as z from '../../util/zod';
import { forbidden, GitLabError } from '../errors';
import { projectEntity } from '../entities/project';
import { startProjectDeletion } from '../services/delete-project';
import { updateProjectSettings, type ProjectChanges } from '../services/projects';
import { hasBranches } from '../git/commits';
import { getUser } from '../store/users';
import * as grape from './grape';
import { authenticated, authorize, findProject } from './request';
import { handlers, type GitLabApi } from './routing';
import { params } from './validators';

/** `PUT /projects/:id` and `DELETE /projects/:id` (`lib/api/projects.rb`). */
const UPDATABLE = ['name', 'path', 'description', 'visibility', 'public_builds', 'public_jobs', 'ci_config_path', 'build_timeout', 'ci_default_git_depth', 'default_branch', 'topics', 'tag_list'] as const;

const topicList = z.preprocess((value) => (typeof value === 'string' ? value.split(',') : value), grape.stringList()).transform((topics) => [...new Set(topics.map((topic) => topic.trim()).filter(Boolean))]);

const updateParams = z
  .object({
    name: grape.string().optional(),
    path: grape.string().optional(),
    description: grape.string().optional(),
    visibility: grape.values(['private', 'internal', 'public']).optional(),
    public_builds: grape.boolean().optional(),
    public_jobs: grape.boolean().optional(),
    ci_config_path: grape.string().optional(),
    build_timeout: grape.integer(z.int().optional()),
    ci_default_git_depth: grape.integer(z.int().optional()),
    default_branch: grape.string().optional(),
    topics: topicList.optional(),
    tag_list: topicList.optional(),
  })
  // Grape's `at_least_one_of`.
  .refine((changes) => UPDATABLE.some((name) => changes[name] !== undefined), {
    message: `${UPDATABLE.join(', ')} are missing, at least one parameter must be provided`,
    ...grape.besideOtherFaults,
  });

const update = handlers(authenticated({ required: true }), params(updateParams), async (c) => {
  const input = c.var.params;
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_project');
  // Changing the visibility is the owner's (`change_visibility_level`).
  if (input.visibility !== undefined && input.visibility !== access.project.visibility && access.level < 50) throw forbidden();
  const changes: ProjectChanges = {
    name: input.name,
    path: input.path,
    description: input.description,
    visibility: input.visibility,
    publicBuilds: input.public_jobs ?? input.public_builds,
    ciConfigPath: input.ci_config_path,
    buildTimeout: input.build_timeout,
    ciDefaultGitDepth: input.ci_default_git_depth,
    defaultBranch: input.default_branch,
    topics: input.topics ?? input.tag_list,
  };
  const project = await updateProjectSettings(access.project, changes);
  const [owner, branches] = await Promise.all([getUser(project.creatorId), hasBranches(project.id)]);
  return c.json(projectEntity(project, owner, { accessLevel: access.level, emptyRepo: !branches }));
});

const remove = handlers(authenticated({ required: true }), async (c) => {
  const access = await findProject(c, c.var.principal);
  // `remove_project` is the owner's.
  if (access.level < 50) throw forbidden();
  const since = c.req.header('If-Unmodified-Since');
  if (since !== undefined && !Number.isNaN(Date.parse(since)) && access.project.updatedAt > Date.parse(since) + 999) {
    throw new GitLabError(412, { message: '412 Precondition Failed' });
  }
  await startProjectDeletion(access.project);
  return c.json({ message: '202 Accepted' }, 202);
});

export function mountProjectSettingsRoutes(api: GitLabApi): void {
  api.put('/projects/:id', ...update);
  api.delete('/projects/:id', ...remove);
}
