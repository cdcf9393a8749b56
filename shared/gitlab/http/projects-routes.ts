import type { Context } from 'hono';
import { GitLabError, notFound } from '../errors';
import { memberEntity } from '../entities/member';
import { projectEntity } from '../entities/project';
import type { AccessLevel } from '../records';
import { createProject } from '../services/projects';
import { resetProjectRegistrationToken } from '../services/runners';
import { getMember, listMembers, putMember } from '../store/projects';
import { hasBranches } from '../store/repository';
import { getUser, getUsers } from '../store/users';
import { allParams, GrapeParams, pathInteger } from './params';
import { authenticate, authorize, findProject, requireUser } from './request';
import { route } from './routing';

/** Projects (`lib/api/projects.rb`), members, and the project's runner registration token. */
const VISIBILITIES = ['private', 'internal', 'public'] as const;
const ACCESS_LEVELS = ['10', '20', '30', '40', '50'] as const;

async function create(c: Context) {
  const user = requireUser(await authenticate(c, { required: true }));
  const params = new GrapeParams(await allParams(c));
  const name = params.string('name');
  const path = params.string('path');
  const description = params.string('description');
  const visibility = params.oneOf('visibility', VISIBILITIES);
  const publicBuilds = params.boolean('public_builds') ?? params.boolean('public_jobs');
  const defaultBranch = params.string('default_branch');
  const initializeWithReadme = params.boolean('initialize_with_readme');
  const ciConfigPath = params.string('ci_config_path');
  if (name === undefined && path === undefined) params.errors.push('name, path are missing, at least one parameter must be provided');
  params.check();
  const { project, runnersToken } = await createProject(user, { name, path, description, visibility, publicBuilds, defaultBranch, initializeWithReadme, ciConfigPath });
  return c.json(projectEntity(project, user, { accessLevel: 50, emptyRepo: !initializeWithReadme, runnersToken }), 201);
}

async function show(c: Context) {
  const principal = await authenticate(c, { required: false });
  const access = await findProject(c, principal);
  const owner = await getUser(access.project.creatorId);
  return c.json(projectEntity(access.project, owner, { accessLevel: access.level, emptyRepo: !(await hasBranches(access.project.id)) }));
}

async function addMember(c: Context) {
  const principal = await authenticate(c, { required: true });
  const params = new GrapeParams(await allParams(c));
  const userId = params.integer('user_id', { required: true });
  const level = params.oneOf('access_level', ACCESS_LEVELS, { required: true });
  params.check();
  const access = await findProject(c, principal);
  authorize(access, 'add_member');
  const user = await getUser(userId!);
  if (!user) throw notFound('User');
  const accessLevel = Number(level) as AccessLevel;
  if (accessLevel > access.level && !access.admin) throw new GitLabError(403, { message: '403 Forbidden' });
  const member = { projectId: access.project.id, userId: user.id, accessLevel, createdAt: Date.now() };
  if (!(await putMember(member, { mustBeNew: true }))) throw new GitLabError(409, { message: 'Member already exists' });
  return c.json(memberEntity(member, user), 201);
}

async function editMember(c: Context) {
  const principal = await authenticate(c, { required: true });
  const userId = pathInteger(c, 'user_id');
  const params = new GrapeParams(await allParams(c));
  const level = params.oneOf('access_level', ACCESS_LEVELS, { required: true });
  params.check();
  const access = await findProject(c, principal);
  authorize(access, 'add_member');
  const existing = await getMember(access.project.id, userId);
  const user = await getUser(userId);
  if (!existing || !user) throw notFound();
  const member = { ...existing, accessLevel: Number(level) as AccessLevel };
  await putMember(member, { mustBeNew: false });
  return c.json(memberEntity(member, user));
}

async function showMember(c: Context) {
  const principal = await authenticate(c, { required: false });
  const userId = pathInteger(c, 'user_id');
  const access = await findProject(c, principal);
  const member = await getMember(access.project.id, userId);
  const user = member ? await getUser(userId) : undefined;
  if (!member || !user) throw notFound();
  return c.json(memberEntity(member, user));
}

async function members(c: Context) {
  const principal = await authenticate(c, { required: false });
  const access = await findProject(c, principal);
  const all = await listMembers(access.project.id);
  const users = await getUsers(all.map((member) => member.userId));
  return c.json(all.flatMap((member) => (users.has(member.userId) ? [memberEntity(member, users.get(member.userId)!)] : [])));
}

async function resetRegistrationToken(c: Context) {
  const principal = await authenticate(c, { required: true });
  const access = await findProject(c, principal);
  authorize(access, 'admin_project');
  return c.json({ token: await resetProjectRegistrationToken(access.project.id), token_expires_at: null }, 201);
}

route('POST', '/projects', create);
route('GET', '/projects/:id', show);
route('GET', '/projects/:id/members', members);
route('POST', '/projects/:id/members', addMember);
route('GET', '/projects/:id/members/:user_id', showMember);
route('PUT', '/projects/:id/members/:user_id', editMember);
route('POST', '/projects/:id/runners/reset_registration_token', resetRegistrationToken);
