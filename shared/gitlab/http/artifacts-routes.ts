import { isCrossDependency } from '../services/cross-needs';
import type { Context } from 'hono';
import * as z from '../../util/zod';
import { findToken } from '../../auth/store/token-store';
import { config } from '../../config';
import { expireProjectArtifacts } from '../artifacts/bulk-expire';
import { archiveUrl, NOT_FOUND, singleFile } from '../artifacts/download';
import { artifactEntryPath } from '../artifacts/entry-path';
import { downloadableArchive, jobForRef } from '../artifacts/locate';
import { readMetadata } from '../artifacts/metadata';
import { artifactTree, directoryPrefix } from '../artifacts/tree';
import { tooLarge, type ArtifactUpload } from '../artifacts/register';
import { authorizeUpload, finalizeUpload, storeDirectUpload } from '../artifacts/upload';
import type { ProjectAccess } from '../auth/policy';
import type { ArtifactFinalizeFields, ArtifactUploadParams, ProtocolParams } from '../entities/runner-protocol';
import { badRequest, forbidden, notFound, paramError } from '../errors';
import type { JobRecord } from '../records';
import { authenticateJob } from '../services/runner-job-updates';
import { getObjectBytes } from '../store/bucket-objects';
import { getJob } from '../store/jobs';
import * as grape from './grape';
import { rackQuery } from './rack-params';
import { authenticated, authorize, findProject, type Authenticated } from './request';
import { requestTargetPath } from './request-target';
import { pageRequest, paginationParams, setOffsetHeaders } from './pagination';
import { handlers, type GitLabApi } from './routing';
import { jobIdPath, params, queryParams, runnerJobPath } from './validators';

/**
 * Job artifacts (`lib/api/ci/job_artifacts.rb` and the runner's half in `lib/api/ci/runner.rb`):
 * uploads through `authorize` + presigned S3 URLs or a stock runner's whole-archive POST, the
 * archive by job or by ref (302 to S3), one file out of it by job or by ref, and the project-wide
 * delete. Keep and delete of one job's artifacts are with the other job actions (jobs-routes.ts).
 */

const uploadParams = z.object({
  token: grape.string().optional(),
  artifact_type: grape.string().default('archive'),
  artifact_format: grape.string().default('zip'),
  expire_in: grape.string().optional(),
} satisfies ProtocolParams<ArtifactUploadParams>);

function upload(params: z.infer<typeof uploadParams>): ArtifactUpload {
  return { artifactType: params.artifact_type, artifactFormat: params.artifact_format, expireIn: params.expire_in };
}

const authorizeArtifacts = handlers(runnerJobPath, params(uploadParams.extend({ filesize: grape.integer(z.int().optional()) } satisfies ProtocolParams<ArtifactUploadParams>), { token: 'JOB-TOKEN' }), async (c) => {
  const job = await authenticateJob(c.req.valid('param').id, c.var.params.token);
  const answer = await authorizeUpload(job, upload(c.var.params), c.var.params.filesize);
  return c.body(JSON.stringify(answer), 200, { 'Content-Type': 'application/vnd.gitlab-workhorse+json' });
});

/** The request body, refused with 413 as soon as it passes `limit` bytes. */
async function cappedBody(c: Context, limit: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('Content-Length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const body = c.req.raw.body;
  if (!body) return new Uint8Array();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function formOf(c: Context, body: Uint8Array): Promise<FormData | undefined> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type)) return undefined;
  try {
    return await new Request('http://upload.invalid/', { method: 'POST', headers: { 'Content-Type': type }, body: body as Uint8Array<ArrayBuffer> }).formData();
  } catch {
    throw badRequest('Invalid multipart body');
  }
}

/** After an authorized upload, where the file went (Workhorse's `file.*` fields). */
const finalizeParams = uploadParams.extend({
  'file.remote_id': grape.string().optional(),
  'file.name': grape.string().optional(),
  'file.sha256': grape.string().optional(),
} satisfies ProtocolParams<ArtifactFinalizeFields>);

/**
 * The runner's `POST /jobs/:id/artifacts`: the archive itself (a stock runner) or where an
 * authorized upload went. The body is read under the POST limit first, so its params are
 * checked here rather than by the `params` middleware, which would read it whole.
 */
const uploadArtifacts = handlers(runnerJobPath, async (c) => {
  const body = await cappedBody(c, config().gitlabArtifacts.postLimitBytes);
  const form = await formOf(c, body);
  const raw: Record<string, unknown> = rackQuery(c);
  let file: File | undefined;
  form?.forEach((value, key) => {
    if (typeof value === 'string') raw[key] = value;
    else if (key === 'file') file = value;
  });
  raw.token = c.req.header('JOB-TOKEN') ?? raw.token;
  const fields = grape.checkParams(finalizeParams, raw);
  const job = await authenticateJob(c.req.valid('param').id, fields.token);
  const remoteId = fields['file.remote_id'];
  if (file) {
    await storeDirectUpload(job, { ...upload(fields), filename: file.name || undefined }, new Uint8Array(await file.arrayBuffer()));
  } else if (remoteId !== undefined) {
    await finalizeUpload(job, { ...upload(fields), filename: fields['file.name'] }, remoteId, fields['file.sha256']);
  } else {
    throw badRequest('Missing artifacts file!');
  }
  return c.body('201', 201, { 'Content-Type': 'application/json' });
});

/**
 * The runner fetching a dependency's archive: the token is that job's own, or the token of a
 * running job of the same project (the job that depends on it).
 */
const runnerDownload = handlers(runnerJobPath, async (c) => {
  const jobId = c.req.valid('param').id;
  const token = c.req.header('JOB-TOKEN') ?? c.req.query('token');
  const [record, job] = await Promise.all([token ? findToken(token) : undefined, getJob(jobId)]);
  if (!record || record.kind !== 'gitlab-job') throw forbidden();
  if (!job) throw forbidden();
  if (Number(record.claims.jobId) !== jobId) {
    const dependent = await getJob(Number(record.claims.jobId));
    if (!dependent || !['running', 'canceling'].includes(dependent.status)) throw forbidden();
    if (dependent.projectId !== job.projectId && !(await isCrossDependency(dependent, job))) throw forbidden();
  }
  const archive = downloadableArchive(job);
  if (!archive) throw NOT_FOUND();
  return c.redirect(await archiveUrl(archive, c.req.method), 302);
});

const readers = authenticated({ required: false, jobTokenAllowed: true });

async function projectFor<E extends Authenticated>(c: Context<E>): Promise<ProjectAccess> {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'read_build');
  return access;
}

/** `artifacts:public: false` hides the files from those who are not at least reporters. */
function checkArtifactsReadable(access: ProjectAccess, job: JobRecord): void {
  if (job.definition.artifacts?.public === false && access.level < 20) throw forbidden();
}

/** The project and its build `jobId` whose artifacts the caller may read; the two are read together. */
async function readableBuild<E extends Authenticated>(c: Context<E>, jobId: number): Promise<JobRecord> {
  const [access, job] = await Promise.all([projectFor(c), getJob(jobId)]);
  if (!job || job.projectId !== access.project.id || job.type !== 'build') throw notFound();
  checkArtifactsReadable(access, job);
  return job;
}

/** The still percent-encoded rest of the path as sent (`.` segments and all) after its first `skip` segments. */
function pathRest(c: Context, skip: number): string {
  return requestTargetPath(c).split('/').slice(skip).join('/');
}

async function sendFile(c: Context, job: JobRecord, encodedPath: string) {
  const path = artifactEntryPath(encodedPath);
  const archive = downloadableArchive(job);
  if (!archive) throw NOT_FOUND();
  const file = await singleFile(archive, path, c.req.method);
  if (file.kind === 'redirect') return c.redirect(file.url, 302);
  return c.body(file.body, 200, file.headers);
}

const downloadArchive = handlers(readers, jobIdPath, async (c) => {
  const job = await readableBuild(c, c.req.valid('param').job_id);
  const archive = downloadableArchive(job);
  if (!archive) throw NOT_FOUND();
  return c.redirect(await archiveUrl(archive, c.req.method), 302);
});

/** `…/jobs/:job_id/artifacts/tree?path=&recursive=`: the archive's entries from its metadata, paged. */
const listTree = handlers(
  readers,
  jobIdPath,
  queryParams(z.object({ path: grape.string().optional(), recursive: grape.boolean().default(false), ...paginationParams })),
  async (c) => {
    const job = await readableBuild(c, c.req.valid('param').job_id);
    const query = c.req.valid('query');
    const metadata = downloadableArchive(job) && job.artifacts.find((artifact) => artifact.fileType === 'metadata' && artifact.objectKey !== undefined);
    if (!metadata) throw NOT_FOUND();
    const entries = artifactTree(readMetadata(await getObjectBytes(metadata.objectKey!)), directoryPrefix(query.path), query.recursive);
    if (!entries) throw NOT_FOUND();
    const request = pageRequest(query);
    setOffsetHeaders(c, request, { hasMore: entries.length > request.offset + request.perPage, total: entries.length });
    return c.json(entries.slice(request.offset, request.offset + request.perPage));
  },
);

const downloadFile = handlers(readers, jobIdPath, async (c) => {
  const job = await readableBuild(c, c.req.valid('param').job_id);
  // /api/v4/projects/:id/jobs/:job_id/artifacts/<path>
  return sendFile(c, job, pathRest(c, 8));
});

/** `…/jobs/artifacts/<ref>/download?job=` and `…/jobs/artifacts/<ref>/raw/<path>?job=`; refs may hold slashes. */
const byRef = handlers(queryParams(z.object({ job: grape.string() })), readers, async (c) => {
  const name = c.req.valid('query').job;
  const rest = pathRest(c, 7);
  const raw = rest.indexOf('/raw/');
  const download = rest.endsWith('/download') && (raw < 0 || raw > rest.length - '/download'.length);
  if (!download && raw <= 0) throw notFound();
  let ref: string;
  try {
    ref = decodeURIComponent(download ? rest.slice(0, -'/download'.length) : rest.slice(0, raw));
  } catch {
    throw paramError('ref_name is invalid');
  }
  const access = await projectFor(c);
  const job = await jobForRef(access.project.id, ref, name);
  if (!job) throw notFound();
  checkArtifactsReadable(access, job);
  if (!download) return sendFile(c, job, rest.slice(raw + '/raw/'.length));
  return c.redirect(await archiveUrl(downloadableArchive(job)!, c.req.method), 302);
});

const deleteProjectArtifacts = handlers(authenticated({ required: true }), async (c) => {
  const access = await findProject(c, c.var.principal);
  authorize(access, 'admin_build');
  await expireProjectArtifacts(access.project.id, Date.now());
  return c.json({ message: '202 Accepted' }, 202);
});

export function mountArtifactsRoutes(api: GitLabApi): void {
  api.post('/jobs/:id/artifacts/authorize', ...authorizeArtifacts);
  api.post('/jobs/:id/artifacts', ...uploadArtifacts);
  api.get('/jobs/:id/artifacts', ...runnerDownload);
  api.get('/projects/:id/jobs/artifacts/*', ...byRef);
  api.get('/projects/:id/jobs/:job_id/artifacts', ...downloadArchive);
  api.get('/projects/:id/jobs/:job_id/artifacts/tree', ...listTree);
  api.get('/projects/:id/jobs/:job_id/artifacts/*', ...downloadFile);
  api.delete('/projects/:id/artifacts', ...deleteProjectArtifacts);
}
