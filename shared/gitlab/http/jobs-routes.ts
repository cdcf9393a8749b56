import type { Context } from 'hono';
import * as z from '../../util/zod';
import { can, canEraseBuild, type ProjectAccess } from '../auth/policy';
import { forbidden, notFound } from '../errors';
import type { JobRecord } from '../records';
import { deleteArtifacts, eraseJob, keepArtifacts, playJob, retryJob } from '../services/job-actions';
import { cancelJob } from '../services/pipeline-engine';
import { isAction } from '../state/job-events';
import { JOB_STATUSES } from '../state/statuses';
import { getJob, listProjectJobs } from '../store/jobs';
import { readJobTrace } from '../traces/archive';
import { jobInDebugMode } from '../services/job-debug-mode';
import * as grape from './grape';
import { checkBuildOffset, decodeCursor, pageRequest, paginationParams, setKeysetLink, setOffsetHeaders } from './pagination';
import { presentJobs, presentOne } from './present';
import { authenticated, authorize, findProject, requireUser, type Authenticated } from './request';
import { handlers, type GitLabApi } from './routing';
import { jobIdPath, params, queryParams } from './validators';

/** The Jobs API (`lib/api/ci/jobs.rb`): list, show, trace, cancel, retry, erase, play, keep, delete artifacts. */

/** `scope` as a string, `scope[]` or `scope[0]`: job statuses, each known (an empty `scope` is none). */
export const jobScope = z.preprocess((value) => (value === '' ? undefined : value), grape.valueList(JOB_STATUSES).optional());

/** The project of the path and the job `jobId`, read together; the job is checked (`buildIn`, `processableIn`) once access is. */
async function projectAndJob<E extends Authenticated>(c: Context<E>, jobId: number): Promise<{ access: ProjectAccess; job: JobRecord | undefined }> {
  const [access, job] = await Promise.all([findProject(c, c.var.principal), getJob(jobId)]);
  return { access, job };
}

/** A build of this project (bridges and other projects' jobs are not found). */
function buildIn(access: ProjectAccess, job: JobRecord | undefined): JobRecord {
  const found = processableIn(access, job);
  if (found.type !== 'build') throw notFound();
  return found;
}

/** A build or bridge of this project. */
function processableIn(access: ProjectAccess, job: JobRecord | undefined): JobRecord {
  if (!job || job.projectId !== access.project.id) throw notFound();
  return job;
}

const listJobs = handlers(
  authenticated({ required: true, jobTokenAllowed: true }),
  queryParams(z.object({ scope: jobScope, pagination: grape.string().optional(), cursor: grape.string().optional(), ...paginationParams })),
  async (c) => {
    const { scope: statuses, pagination, cursor, ...paging } = c.req.valid('query');
    const page = pageRequest(paging);
    const access = await findProject(c, c.var.principal);
    authorize(access, 'read_build');
    if (pagination === 'keyset') {
      // The paginator's check, not Grape's: a cursor means something only to keyset pagination.
      const beforeId = cursor ? decodeCursor(cursor) : undefined;
      const result = await listProjectJobs(access.project.id, { statuses, offset: 0, limit: page.perPage, beforeId });
      setKeysetLink(c, page.perPage, result.hasMore ? result.lastId : undefined);
      return c.json(await presentJobs(access, result.jobs));
    }
    checkBuildOffset(page);
    const result = await listProjectJobs(access.project.id, { statuses, offset: page.offset, limit: page.perPage });
    setOffsetHeaders(c, page, { hasMore: result.hasMore });
    return c.json(await presentJobs(access, result.jobs));
  },
);

const showJob = handlers(authenticated({ required: true }), jobIdPath, async (c) => {
  const { access, job } = await projectAndJob(c, c.req.valid('param').job_id);
  authorize(access, 'read_build');
  return c.json(await presentOne(access, buildIn(access, job)));
});

const trace = handlers(authenticated({ required: true }), jobIdPath, async (c) => {
  const { access, job: read } = await projectAndJob(c, c.req.valid('param').job_id);
  authorize(access, 'read_build');
  const job = buildIn(access, read);
  // `read_build_trace`: a debug-mode trace may hold secrets, so only those who may update builds read it.
  if (!can(access, 'update_build') && (await jobInDebugMode(job))) throw forbidden();
  const log = await readJobTrace(job);
  return c.body(new Uint8Array(log), 200, { 'Content-Type': 'text/plain', 'Content-Disposition': `infile; filename="${job.id}.log"` });
});

const cancel = handlers(authenticated({ required: true }), jobIdPath, params(z.object({ force: grape.boolean().default(false) })), async (c) => {
  const { force } = c.var.params;
  const { access, job: read } = await projectAndJob(c, c.req.valid('param').job_id);
  authorize(access, 'update_build');
  const job = buildIn(access, read);
  if (force && access.level < 40) throw forbidden();
  return c.json(await presentOne(access, await cancelJob(job, { force })), 201);
});

const retry = handlers(authenticated({ required: true }), jobIdPath, async (c) => {
  const { access, job: read } = await projectAndJob(c, c.req.valid('param').job_id);
  const job = processableIn(access, read);
  authorize(access, 'update_build');
  // `RetryJobService` enqueues the new job of an action at once (`enqueue_if_actionable`).
  const retried = await retryJob(job, requireUser(c.var.principal), { enqueue: isAction(job) });
  return c.json(await presentOne(access, retried), 201);
});

const erase = handlers(authenticated({ required: true }), jobIdPath, async (c) => {
  const { access, job: read } = await projectAndJob(c, c.req.valid('param').job_id);
  const job = buildIn(access, read);
  if (!canEraseBuild(access, job)) throw forbidden();
  return c.json(await presentOne(access, await eraseJob(job, requireUser(c.var.principal))), 201);
});

// The bounds are ours (values) and GitLab's variable key length.
export const playParams = z.object({ job_variables_attributes: grape.hashList({ key: grape.boundedString(255), value: grape.boundedString(10_000) }).default([]) });

const play = handlers(authenticated({ required: true }), jobIdPath, params(playParams), async (c) => {
  const variables = c.var.params.job_variables_attributes;
  const { access, job: read } = await projectAndJob(c, c.req.valid('param').job_id);
  authorize(access, 'read_build');
  const job = processableIn(access, read);
  authorize(access, 'update_build');
  const played = await playJob(job, requireUser(c.var.principal), variables);
  return c.json(await presentOne(access, played, 'auto'), 200);
});

const keep = handlers(authenticated({ required: true }), jobIdPath, async (c) => {
  const { access, job: read } = await projectAndJob(c, c.req.valid('param').job_id);
  authorize(access, 'update_build');
  const job = buildIn(access, read);
  return c.json(await presentOne(access, await keepArtifacts(job)), 200);
});

const removeArtifacts = handlers(authenticated({ required: true }), jobIdPath, async (c) => {
  const { access, job: read } = await projectAndJob(c, c.req.valid('param').job_id);
  authorize(access, 'admin_build');
  const job = buildIn(access, read);
  await deleteArtifacts(job);
  return c.body(null, 204);
});

export function mountJobsRoutes(api: GitLabApi): void {
  api.get('/projects/:id/jobs', ...listJobs);
  api.get('/projects/:id/jobs/:job_id', ...showJob);
  api.get('/projects/:id/jobs/:job_id/trace', ...trace);
  api.post('/projects/:id/jobs/:job_id/cancel', ...cancel);
  api.post('/projects/:id/jobs/:job_id/retry', ...retry);
  api.post('/projects/:id/jobs/:job_id/erase', ...erase);
  api.post('/projects/:id/jobs/:job_id/play', ...play);
  api.post('/projects/:id/jobs/:job_id/artifacts/keep', ...keep);
  api.delete('/projects/:id/jobs/:job_id/artifacts', ...removeArtifacts);
}
