import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ArtifactFinalizeFields, ArtifactsAuthorizeAnswer, ArtifactUploadParams, JobArtifactSpec, RemoteObject } from '../../shared/gitlab/entities/runner-protocol';
import { RunnerApiError, type RunnerApi } from './api';

/**
 * One artifact file sent to the coordinator the way that keeps it out of the API: `authorize`
 * first, the bytes straight to the presigned S3 URL (in parts when a multipart upload is handed
 * out), then the registration with `file.remote_id`. A server without `authorize` (404/405) gets
 * the whole file as multipart/form-data, as a stock gitlab-runner sends it.
 */
export interface ArtifactFile {
  path: string;
  size: number;
  sha256: string;
  /** The name it is uploaded under (`artifacts.zip`); the server's default for reports. */
  name?: string;
}

function query(spec: JobArtifactSpec, filesize?: number): string {
  const params: ArtifactUploadParams = { artifact_type: spec.artifact_type, artifact_format: spec.artifact_format };
  if (spec.expire_in) params.expire_in = spec.expire_in;
  if (filesize !== undefined) params.filesize = filesize;
  return new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, String(value)])).toString();
}

async function putFile(url: string, file: ArtifactFile): Promise<void> {
  const response = await fetch(url, {
    method: 'PUT',
    body: Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>,
    headers: { 'Content-Length': String(file.size) },
    duplex: 'half',
  } as RequestInit);
  const text = await response.text();
  if (!response.ok) throw new RunnerApiError(response.status, text, 'object storage PUT');
}

async function putParts(upload: NonNullable<RemoteObject['MultipartUpload']>, file: ArtifactFile): Promise<void> {
  const handle = await open(file.path);
  const etags: string[] = [];
  try {
    for (let offset = 0, part = 0; offset < file.size || part === 0; offset += upload.PartSize, part++) {
      if (part >= upload.PartURLs.length) throw new Error(`the archive needs more than the ${upload.PartURLs.length} parts handed out`);
      const length = Math.min(upload.PartSize, file.size - offset);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, offset);
      const response = await fetch(upload.PartURLs[part]!, { method: 'PUT', body: buffer });
      await response.body?.cancel();
      if (!response.ok) throw new RunnerApiError(response.status, '', `object storage part ${part + 1}`);
      etags.push(response.headers.get('ETag') ?? '');
    }
    const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const completed = await fetch(upload.CompleteURL, { method: 'POST', body: xml, headers: { 'Content-Type': 'application/xml' } });
    const text = await completed.text();
    if (!completed.ok || text.includes('<Error>')) throw new RunnerApiError(completed.status, text, 'object storage complete');
  } catch (error) {
    await fetch(upload.AbortURL, { method: 'DELETE' }).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
}

async function postWhole(api: RunnerApi, jobId: number, token: string, spec: JobArtifactSpec, file: ArtifactFile): Promise<Response> {
  const form = new FormData();
  form.set('file', new Blob([await readFile(file.path)]), file.name ?? `${spec.artifact_type}.${spec.artifact_format === 'gzip' ? 'gz' : spec.artifact_format}`);
  return api.call('POST', `/jobs/${jobId}/artifacts?${query(spec)}`, { body: form, headers: { 'JOB-TOKEN': token } });
}

/** Uploads `file`; answers the coordinator's final status line (`201 Created`). */
export async function uploadArtifact(api: RunnerApi, jobId: number, token: string, spec: JobArtifactSpec, file: ArtifactFile): Promise<number> {
  const authorize = await api.call('POST', `/jobs/${jobId}/artifacts/authorize?${query(spec, file.size)}`, { headers: { 'JOB-TOKEN': token } });
  const text = await authorize.text();
  let response: Response;
  if (authorize.status === 404 || authorize.status === 405) {
    response = await postWhole(api, jobId, token, spec, file);
  } else {
    if (authorize.status !== 200) throw new RunnerApiError(authorize.status, text, 'artifacts/authorize');
    const remote = (JSON.parse(text) as ArtifactsAuthorizeAnswer).RemoteObject;
    if (remote.MultipartUpload) await putParts(remote.MultipartUpload, file);
    else await putFile(remote.StoreURL, file);
    const fields: ArtifactFinalizeFields = { 'file.remote_id': remote.ID, 'file.size': String(file.size), 'file.sha256': file.sha256 };
    if (file.name) fields['file.name'] = file.name;
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    response = await api.call('POST', `/jobs/${jobId}/artifacts?${query(spec)}`, { body: form, headers: { 'JOB-TOKEN': token } });
  }
  const body = await response.text();
  if (response.status !== 201) throw new RunnerApiError(response.status, body, 'artifacts');
  return response.status;
}
