import * as z from '../../util/zod';
import { badRequest, forbidden, validationError } from '../errors';
import { runnerRegistration } from '../entities/runner';
import type { JobRequestParams, JobUpdateParams, ProtocolParams } from '../entities/runner-protocol';
import { requestJob } from '../services/claim-job';
import { appendJobTrace, updateJobState } from '../services/runner-job-updates';
import { authenticateRunner, createRunner, registerRunner, resetRunnerToken, unregisterRunner, type RunnerAttributes } from '../services/runners';
import { accessLevelIn, projectAccess, can } from '../auth/policy';
import { getProject } from '../store/projects';
import { fullMessagesSentence, hasErrors } from '../validations/messages';
import { runnerErrors } from '../validations/runner';
import { jsonExtent } from '../../util/json-extent';
import * as grape from './grape';
import { authenticated, requireUser } from './request';
import { handlers, type GitLabApi } from './routing';
import { params, runnerJobPath } from './validators';

/**
 * The runner protocol (`lib/api/ci/runner.rb`) that gitlab-runner speaks, and `POST /user/runners`
 * where users create runners. Status codes are what the runner acts on: 201/204 for a job or
 * none, 202/416 for log appends, 403 with `Job-Status` once a job no longer runs.
 */

/** `a,b` or a list; tags are trimmed, and each kept once. */
const tagList = z
  .preprocess((value) => (typeof value === 'string' ? value.split(',') : value), grape.stringList())
  .transform((tags) => [...new Set(tags.map((tag) => tag.trim()).filter(Boolean))]);

/**
 * What the runner says about itself (version, platform, features); anything but a hash is ignored,
 * as it always was here, and so is a hash too large or too deep to keep with the runner (ours).
 */
export const runnerInfo = z
  .record(z.string(), z.unknown())
  .optional()
  .catch(undefined)
  .transform((info) => {
    const extent = info && jsonExtent(info, { depth: 16, values: 1000 });
    return extent && extent.depth <= 16 && extent.values <= 1000 ? info : undefined;
  });

export const runnerParams = z.object({
  description: grape.string().default(''),
  tag_list: tagList.default([]),
  run_untagged: grape.boolean().default(true),
  active: grape.boolean().optional(),
  paused: grape.boolean().optional(),
  locked: grape.boolean().default(false),
  access_level: grape.values(['not_protected', 'ref_protected']).default('not_protected'),
  maximum_timeout: grape.integer(z.int().optional()),
  maintenance_note: grape.string().optional(),
  maintainer_note: grape.string().optional(),
  info: runnerInfo,
});

function runnerAttributes(params: z.infer<typeof runnerParams>): RunnerAttributes {
  return {
    description: params.description,
    tagList: params.tag_list,
    runUntagged: params.run_untagged,
    paused: params.paused ?? (params.active === undefined ? false : !params.active),
    locked: params.locked,
    accessLevel: params.access_level,
    maximumTimeout: params.maximum_timeout ?? null,
    maintenanceNote: params.maintenance_note ?? params.maintainer_note ?? null,
    info: params.info,
  };
}

const createRunnerParams = z
  .object({ runner_type: grape.values(['instance_type', 'group_type', 'project_type']), project_id: grape.integer(z.int().optional()), ...runnerParams.shape })
  .refine((params) => params.runner_type !== 'project_type' || params.project_id !== undefined, { path: ['project_id'], message: 'is missing', ...grape.besideOtherFaults });

const createUserRunner = handlers(authenticated({ required: true }), params(createRunnerParams), async (c) => {
  const user = requireUser(c.var.principal);
  const { runner_type: type, project_id: projectId } = c.var.params;
  const attributes = runnerAttributes(c.var.params);
  // `Ci::Runners::CreateRunnerService`'s errors, as one sentence.
  const errors = runnerErrors(attributes);
  if (hasErrors(errors)) throw badRequest(fullMessagesSentence(errors));
  if (type === 'group_type') throw badRequest('group_type runners are not supported: this server has no groups');
  if (type === 'instance_type') {
    if (!user.admin) throw forbidden();
    const { runner, token } = await createRunner({ runnerType: 'instance_type' }, attributes, user.id);
    return c.json(runnerRegistration(runner, token), 201);
  }
  const [project, level] = await Promise.all([getProject(projectId!), accessLevelIn(c.var.principal, projectId!)]);
  if (!project || !can(await projectAccess(c.var.principal, project, level), 'admin_project')) throw forbidden();
  const { runner, token } = await createRunner({ runnerType: 'project_type', projectId: project.id }, attributes, user.id);
  return c.json(runnerRegistration(runner, token), 201);
});

const register = handlers(params(z.object({ token: grape.string(), ...runnerParams.shape })), async (c) => {
  const attributes = runnerAttributes(c.var.params);
  const errors = runnerErrors(attributes);
  if (hasErrors(errors)) throw validationError(errors);
  const { runner, token } = await registerRunner(c.var.params.token, attributes);
  return c.json(runnerRegistration(runner, token), 201);
});

/** The runner's own token, in the params. */
const runnerToken = params(z.object({ token: grape.string() }));

const verify = handlers(runnerToken, async (c) => {
  const { token } = c.var.params;
  const { runner } = await authenticateRunner(token);
  return c.json(runnerRegistration(runner, token), 200);
});

const unregister = handlers(runnerToken, async (c) => {
  await unregisterRunner(c.var.params.token);
  return c.body(null, 204);
});

const resetToken = handlers(runnerToken, async (c) => {
  const { token } = await resetRunnerToken(c.var.params.token);
  return c.json({ token, token_expires_at: null }, 201);
});

const requestParams = z.object({ token: grape.string(), last_update: grape.string().optional(), info: runnerInfo } satisfies ProtocolParams<JobRequestParams>);

const request = handlers(params(requestParams), async (c) => {
  const { token, last_update: lastUpdate, info } = c.var.params;
  const { runner } = await authenticateRunner(token);
  const result = await requestJob(runner, { lastUpdate, info });
  if (result.kind === 'none') return c.body(null, 204, { 'X-GitLab-Last-Update': result.lastUpdate });
  return c.json(result.payload, 201);
});

export const updateParams = z.object({
  token: grape.string(),
  state: grape.string().optional(),
  failure_reason: grape.string().optional(),
  exit_code: grape.integer(z.int().optional()),
} satisfies ProtocolParams<JobUpdateParams>);

const update = handlers(runnerJobPath, params(updateParams, { token: 'JOB-TOKEN' }), async (c) => {
  const { token, state, failure_reason: failureReason, exit_code: exitCode } = c.var.params;
  const status = await updateJobState(c.req.valid('param').id, token, { state, failureReason, exitCode });
  return c.body('200', 200, { 'Content-Type': 'application/json', 'Job-Status': status, 'X-GitLab-Trace-Update-Interval': '60' });
});

const patchTrace = handlers(runnerJobPath, async (c) => {
  const body = Buffer.from(await c.req.arrayBuffer());
  const token = c.req.header('JOB-TOKEN') ?? c.req.query('token');
  // `debug_trace` is a Grape Boolean (`true`, `1`, `yes`…).
  const debugTrace = /^(true|t|yes|y|1|on)$/i.test(c.req.query('debug_trace') ?? '');
  const result = await appendJobTrace(c.req.valid('param').id, token, c.req.header('Content-Range'), body, debugTrace);
  if (result.status === 416) return c.json({ error: '416 Range Not Satisfiable' }, 416, { Range: `0-${result.size}` });
  return c.body(null, 202, { 'Job-Status': result.jobStatus, Range: `0-${result.size}`, 'X-GitLab-Trace-Update-Interval': '60' });
});

export function mountRunnerRoutes(api: GitLabApi): void {
  api.post('/user/runners', ...createUserRunner);
  api.post('/runners', ...register);
  api.delete('/runners', ...unregister);
  api.post('/runners/verify', ...verify);
  api.post('/runners/reset_authentication_token', ...resetToken);
  api.post('/jobs/request', ...request);
  api.put('/jobs/:id', ...update);
  api.patch('/jobs/:id/trace', ...patchTrace);
}
