import * as z from '../../util/zod';
import { GitLabError, notFound } from '../errors';
import { memberEntity } from '../entities/member';
import { projectEntity } from '../entities/project';
import type { AccessLevel } from '../records';
import { createProject } from '../services/projects';
import { resetProjectRegistrationToken } from '../services/runners';
import { getMember, listMembers, putMember } from '../store/projects';
import { hasBranches } from '../git/commits';
import { getUser, getUsers } from '../store/users';
import * as grape from './grape';
import { authenticated, authorize, findProject, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, pathParams } from './validators';

/** Projects (`lib/api/projects.rb`), members, and the project's runner registration token. */
const VISIBILITIES = ['private', 'internal', 'public'] as const;
const ACCESS_LEVELS = ['10', '20', '30', '40', '50'] as const;

export const createParams = z
  .object({
    name: grape.string().optional(),
    path: grape.string().optional(),
    description: grape.string().optional(),
    visibility: grape.values(VISIBILITIES).optional(),
    public_builds: grape.boolean().optional(),
    public_jobs: grape.boolean().optional(),
    default_branch: grape.string().optional(),
    initialize_with_readme: grape.boolean().optional(),
    ci_config_path: grape.string().optional(),
  })
  // Grape's `at_least_one_of`.
  .refine((project) => project.name !== undefined || project.path !== undefined, {
    message: 'name, path are missing, at least one parameter must be provided',
    ...grape.besideOtherFaults,
  });

const create = handlers(authenticated({ required: true }), params(createParams), async (c) => {
  const user = requireUser(c.var.principal);
  const { public_builds, public_jobs, default_branch, initialize_with_readme, ci_config_path, ...fields } = c.var.params;
  const { project, runnersToken } = await createProject(user, {
    ...fields,
    publicBuilds: public_builds ?? public_jobs,
    defaultBranch: default_branch,
    initializeWithReadme: initialize_with_readme,
    ciConfigPath: ci_config_path,
  });
  return c.json(projectEntity(project, user, { accessLevel: 50, emptyRepo: !initialize_with_readme, runnersToken }), 201);
});

const show = handlers(authenticated({ required: false }), async (c) => {
  const access = await findProject(c, c.var.principal);
  const [owner, branches] = await Promise.all([getUser(access.project.creatorId), hasBranches(access.project.id)]);
  return c.json(projectEntity(access.project, owner, { accessLevel: access.level, emptyRepo: !branches }));
});

const userIdPath = pathParams({ user_id: grape.pathInteger() });
const accessLevel = grape.values(ACCESS_LEVELS).transform((level) => Number(level) as AccessLevel);

const addMember = handlers(authenticated({ required: true }), params(z.object({ user_id: grape.integer(z.int()), access_level: accessLevel })), async (c) => {
  const { user_id: userId, access_level: level } = c.var.params;
  const access = await findProject(c, c.var.principal);
  authorize(access, 'add_member');
  const user = await getUser(userId);
  if (!user) throw notFound('User');
  if (level > access.level && !access.admin) throw new GitLabError(403, { message: '403 Forbidden' });
  const member = { projectId: access.project.id, userId: user.id, accessLevel: level, createdAt: Date.now() };
  if (!(await putMember(member, { mustBeNew: true }))) throw new GitLabError(409, { message: 'Member already exists' });
  return c.json(memberEntity(member, user), 201);
});

const editMember = handlers(authenticated({ required: true }), userIdPath, params(z.object({ access_level: accessLevel })), async (c) => {
  const { user_id: userId } = c.req.valid('param');
  const access = await findProject(c, c.var.principal);
  authorize(access, 'add_member');
  const [existing, user] = await Promise.all([getMember(access.project.id, userId), getUser(userId)]);
  if (!existing || !user) throw notFound();
  const member = { ...existing, accessLevel: c.var.params.access_level };
  await putMember(member, { mustBeNew: false });
  return c.json(memberEntity(member, user));
});

const showMember = handlers(authenticated({ required: false }), userIdPath, async (c) => {
  const { user_id: userId } = c.req.valid('param');
  const access = await findProject(c, c.var.principal);
  const [member, user] = await Promise.all([getMember(access.project.id, userId), getUser(userId)]);
  if (!member || !user) throw notFound();
  return c.json(memberEntity(member, user));
});

const members = handlers(authenticated({ required: false }), async (c) => {
  const access = await findProject(c, c.var.principal);
  const all = await listMembers(access.project.id);
  const users = await getUsers(all.map((member) => member.userId));
  return c.json(all.flatMap((member) => (users.has(member.userId) ? [memberEntity(member, users.get(member.userId)!)] : [])));
});

const resetRegistrationToken = handlers(authenticated({ required: true }), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_project');
  return c.json({ token: await resetProjectRegistrationToken(access.project.id), token_expires_at: null }, 201);
});

export function mountProjectsRoutes(api: GitLabApi): void {
  api.post('/projects', ...create);
  api.get('/projects/:id', ...show);
  api.get('/projects/:id/members', ...members);
  api.post('/projects/:id/members', ...addMember);
  api.get('/projects/:id/members/:user_id', ...showMember);
  api.put('/projects/:id/members/:user_id', ...editMember);
  api.post('/projects/:id/runners/reset_registration_token', ...resetRegistrationToken);
}
