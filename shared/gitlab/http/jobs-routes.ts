import type { Context } from 'hono';
import { canEraseBuild } from '../auth/policy';
import { forbidden, notFound } from '../errors';
import type { JobRecord } from '../records';
import { cancelJob, deleteArtifacts, eraseJob, keepArtifacts, playJob, retryJob } from '../services/job-actions';
import { JOB_STATUSES, type JobStatus } from '../state/statuses';
import { getJob, listProjectJobs } from '../store/jobs';
import { readJobTrace } from '../traces/archive';
import { allParams, GrapeParams, pathInteger, queryParams } from './params';
import { checkBuildOffset, decodeCursor, pageRequest, setKeysetLink, setOffsetHeaders } from './pagination';
import { presentJobs, presentOne } from './present';
import { authenticate, authorize, findProject, requireUser } from './request';
import { route } from './routing';

/** The Jobs API (`lib/api/ci/jobs.rb`): list, show, trace, cancel, retry, erase, play, keep, delete artifacts. */

/** `scope` as a string, `scope[]` or `scope[0]`; any unknown status is a 400. */
export function scopeParam(params: GrapeParams): JobStatus[] | undefined {
  const raw = params.raw.scope;
  if (raw === undefined || raw === '') return undefined;
  const scopes = params.stringArray('scope');
  if (scopes === undefined) {
    params.errors.pop();
    params.errors.push('scope does not have a valid value');
    return undefined;
  }
  if (!scopes.every((scope) => (JOB_STATUSES as readonly string[]).includes(scope))) {
    params.errors.push('scope does not have a valid value');
    return undefined;
  }
  return scopes.length > 0 ? (scopes as JobStatus[]) : undefined;
}

/** A build of this project (bridges and other projects' jobs are not found). */
async function findBuild(projectId: number, jobId: number): Promise<JobRecord> {
  const job = await findProcessable(projectId, jobId);
  if (job.type !== 'build') throw notFound();
  return job;
}

/** A build or bridge of this project. */
async function findProcessable(projectId: number, jobId: number): Promise<JobRecord> {
  const job = await getJob(jobId);
  if (!job || job.projectId !== projectId) throw notFound();
  return job;
}

async function listJobs(c: Context) {
  const principal = await authenticate(c, { required: true, jobTokenAllowed: true });
  const params = new GrapeParams(queryParams(c));
  const statuses = scopeParam(params);
  const keyset = params.raw.pagination === 'keyset';
  const page = pageRequest(c);
  params.check();
  const access = await findProject(c, principal);
  authorize(access, 'read_build');
  if (keyset) {
    const cursor = typeof params.raw.cursor === 'string' && params.raw.cursor !== '' ? decodeCursor(params.raw.cursor) : undefined;
    const result = await listProjectJobs(access.project.id, { statuses, offset: 0, limit: page.perPage, beforeId: cursor });
    setKeysetLink(c, page.perPage, result.hasMore ? result.lastId : undefined);
    return c.json(await presentJobs(access, result.jobs));
  }
  checkBuildOffset(page);
  const result = await listProjectJobs(access.project.id, { statuses, offset: page.offset, limit: page.perPage });
  setOffsetHeaders(c, page, { hasMore: result.hasMore });
  return c.json(await presentJobs(access, result.jobs));
}

async function showJob(c: Context) {
  const principal = await authenticate(c, { required: true });
  const jobId = pathInteger(c, 'job_id');
  const access = await findProject(c, principal);
  authorize(access, 'read_build');
  return c.json(await presentOne(access, await findBuild(access.project.id, jobId)));
}

async function trace(c: Context) {
  const principal = await authenticate(c, { required: true });
  const jobId = pathInteger(c, 'job_id');
  const access = await findProject(c, principal);
  authorize(access, 'read_build');
  const job = await findBuild(access.project.id, jobId);
  const log = await readJobTrace(job);
  return c.body(new Uint8Array(log), 200, { 'Content-Type': 'text/plain', 'Content-Disposition': `infile; filename="${job.id}.log"` });
}

async function cancel(c: Context) {
  const principal = await authenticate(c, { required: true });
  const jobId = pathInteger(c, 'job_id');
  const params = new GrapeParams(await allParams(c));
  const force = params.boolean('force') ?? false;
  params.check();
  const access = await findProject(c, principal);
  authorize(access, 'update_build');
  const job = await findBuild(access.project.id, jobId);
  if (force && access.level < 40) throw forbidden();
  return c.json(await presentOne(access, await cancelJob(job.id, { force })), 201);
}

async function retry(c: Context) {
  const principal = await authenticate(c, { required: true });
  const jobId = pathInteger(c, 'job_id');
  const access = await findProject(c, principal);
  const job = await findProcessable(access.project.id, jobId);
  authorize(access, 'update_build');
  const retried = await retryJob(job.id, requireUser(principal));
  return c.json(await presentOne(access, retried), 201);
}

async function erase(c: Context) {
  const principal = await authenticate(c, { required: true });
  const jobId = pathInteger(c, 'job_id');
  const access = await findProject(c, principal);
  const job = await findBuild(access.project.id, jobId);
  if (!canEraseBuild(access, job)) throw forbidden();
  return c.json(await presentOne(access, await eraseJob(job.id, requireUser(principal))), 201);
}

async function play(c: Context) {
  const principal = await authenticate(c, { required: true });
  const jobId = pathInteger(c, 'job_id');
  const params = new GrapeParams(await allParams(c));
  const variables = params.hashArray('job_variables_attributes', { required: ['key', 'value'] }) ?? [];
  params.check();
  const access = await findProject(c, principal);
  authorize(access, 'read_build');
  const job = await findProcessable(access.project.id, jobId);
  authorize(access, 'update_build');
  const played = await playJob(job.id, requireUser(principal), variables.map(({ key, value }) => ({ key, value })));
  return c.json(await presentOne(access, played, 'auto'), 200);
}

async function keep(c: Context) {
  const principal = await authenticate(c, { required: true });
  const jobId = pathInteger(c, 'job_id');
  const access = await findProject(c, principal);
  authorize(access, 'update_build');
  const job = await findBuild(access.project.id, jobId);
  return c.json(await presentOne(access, await keepArtifacts(job.id)), 200);
}

async function removeArtifacts(c: Context) {
  const principal = await authenticate(c, { required: true });
  const jobId = pathInteger(c, 'job_id');
  const access = await findProject(c, principal);
  authorize(access, 'admin_build');
  const job = await findBuild(access.project.id, jobId);
  await deleteArtifacts(job.id);
  return c.body(null, 204);
}

route('GET', '/projects/:id/jobs', listJobs);
route('GET', '/projects/:id/jobs/:job_id', showJob);
route('GET', '/projects/:id/jobs/:job_id/trace', trace);
route('POST', '/projects/:id/jobs/:job_id/cancel', cancel);
route('POST', '/projects/:id/jobs/:job_id/retry', retry);
route('POST', '/projects/:id/jobs/:job_id/erase', erase);
route('POST', '/projects/:id/jobs/:job_id/play', play);
route('POST', '/projects/:id/jobs/:job_id/artifacts/keep', keep);
route('DELETE', '/projects/:id/jobs/:job_id/artifacts', removeArtifacts);
