import type { Context } from 'hono';
import { badRequest, forbidden } from '../errors';
import { runnerRegistration } from '../entities/runner';
import { requestJob } from '../services/claim-job';
import { appendJobTrace, updateJobState } from '../services/runner-job-updates';
import { authenticateRunner, createRunner, registerRunner, resetRunnerToken, unregisterRunner, type RunnerAttributes } from '../services/runners';
import { projectAccess, can } from '../auth/policy';
import { getProject } from '../store/projects';
import { allParams, GrapeParams, pathInteger, type RawParams } from './params';
import { authenticate, requireUser } from './request';
import { route } from './routing';

/**
 * The runner protocol (`lib/api/ci/runner.rb`) that gitlab-runner speaks, and `POST /user/runners`
 * where users create runners. Status codes are what the runner acts on: 201/204 for a job or
 * none, 202/416 for log appends, 403 with `Job-Status` once a job no longer runs.
 */
const ACCESS_LEVELS = ['not_protected', 'ref_protected'] as const;

function runnerAttributes(params: GrapeParams): RunnerAttributes {
  const tags = params.raw.tag_list;
  const tagList = typeof tags === 'string' ? tags.split(',') : (params.stringArray('tag_list') ?? []);
  const active = params.boolean('active');
  const paused = params.boolean('paused');
  return {
    description: params.string('description') ?? '',
    tagList: [...new Set(tagList.map((tag) => tag.trim()).filter(Boolean))],
    runUntagged: params.boolean('run_untagged') ?? true,
    paused: paused ?? (active === undefined ? false : !active),
    locked: params.boolean('locked') ?? false,
    accessLevel: params.oneOf('access_level', ACCESS_LEVELS) ?? 'not_protected',
    maximumTimeout: params.integer('maximum_timeout') ?? null,
    maintenanceNote: params.string('maintenance_note') ?? params.string('maintainer_note') ?? null,
    info: typeof params.raw.info === 'object' && params.raw.info !== null ? (params.raw.info as Record<string, unknown>) : undefined,
  };
}

function runnerToken(params: GrapeParams): string {
  const token = params.string('token', { required: true });
  params.check();
  return token;
}

async function createUserRunner(c: Context) {
  const principal = await authenticate(c, { required: true });
  const user = requireUser(principal);
  const params = new GrapeParams(await allParams(c));
  const type = params.oneOf('runner_type', ['instance_type', 'group_type', 'project_type'] as const, { required: true });
  const projectId = type === 'project_type' ? params.integer('project_id', { required: true }) : undefined;
  const attributes = runnerAttributes(params);
  params.check();
  if (type === 'group_type') throw badRequest('group_type runners are not supported: this server has no groups');
  if (type === 'instance_type') {
    if (!user.admin) throw forbidden();
    const { runner, token } = await createRunner({ runnerType: 'instance_type' }, attributes, user.id);
    return c.json(runnerRegistration(runner, token), 201);
  }
  const project = await getProject(projectId!);
  if (!project || !can(await projectAccess(principal, project), 'admin_project')) throw forbidden();
  const { runner, token } = await createRunner({ runnerType: 'project_type', projectId: project.id }, attributes, user.id);
  return c.json(runnerRegistration(runner, token), 201);
}

async function register(c: Context) {
  const params = new GrapeParams(await allParams(c));
  const token = params.string('token', { required: true });
  const attributes = runnerAttributes(params);
  params.check();
  const { runner, token: authToken } = await registerRunner(token, attributes);
  return c.json(runnerRegistration(runner, authToken), 201);
}

async function verify(c: Context) {
  const token = runnerToken(new GrapeParams(await allParams(c)));
  const { runner } = await authenticateRunner(token);
  return c.json(runnerRegistration(runner, token), 200);
}

async function unregister(c: Context) {
  await unregisterRunner(runnerToken(new GrapeParams(await allParams(c))));
  return c.body(null, 204);
}

async function resetToken(c: Context) {
  const { token } = await resetRunnerToken(runnerToken(new GrapeParams(await allParams(c))));
  return c.json({ token, token_expires_at: null }, 201);
}

async function request(c: Context) {
  const params = new GrapeParams(await allParams(c));
  const token = runnerToken(params);
  const lastUpdate = params.string('last_update');
  const { runner } = await authenticateRunner(token);
  const info = typeof params.raw.info === 'object' && params.raw.info !== null ? (params.raw.info as RawParams) : undefined;
  const result = await requestJob(runner, { lastUpdate, info });
  if (result.kind === 'none') return c.body(null, 204, { 'X-GitLab-Last-Update': result.lastUpdate });
  return c.json(result.payload, 201);
}

function jobToken(c: Context, params: RawParams): string | undefined {
  return c.req.header('JOB-TOKEN') ?? (typeof params.token === 'string' ? params.token : undefined);
}

async function update(c: Context) {
  const jobId = pathInteger(c, 'id');
  const raw = await allParams(c);
  const params = new GrapeParams(raw);
  const token = jobToken(c, raw);
  if (token === undefined) params.errors.push('token is missing');
  const state = params.string('state');
  const failureReason = params.string('failure_reason');
  const exitCode = params.integer('exit_code');
  params.check();
  const status = await updateJobState(jobId, token, { state, failureReason, exitCode });
  return c.body('200', 200, { 'Content-Type': 'application/json', 'Job-Status': status, 'X-GitLab-Trace-Update-Interval': '60' });
}

async function patchTrace(c: Context) {
  const jobId = pathInteger(c, 'id');
  const body = Buffer.from(await c.req.arrayBuffer());
  const token = c.req.header('JOB-TOKEN') ?? c.req.query('token');
  const result = await appendJobTrace(jobId, token, c.req.header('Content-Range'), body);
  if (result.status === 416) return c.json({ error: '416 Range Not Satisfiable' }, 416, { Range: `0-${result.size}` });
  return c.body(null, 202, { 'Job-Status': result.jobStatus, Range: `0-${result.size}`, 'X-GitLab-Trace-Update-Interval': '60' });
}

route('POST', '/user/runners', createUserRunner);
route('POST', '/runners', register);
route('DELETE', '/runners', unregister);
route('POST', '/runners/verify', verify);
route('POST', '/runners/reset_authentication_token', resetToken);
route('POST', '/jobs/request', request);
route('PUT', '/jobs/:id', update);
route('PATCH', '/jobs/:id/trace', patchTrace);
