import { createHash } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { BlobWriter, TextReader, Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import { s3 } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { http, makeRunner, requestJob, type GitLabServer } from '../../support/gitlab';

/** A zip made with a real zip library, as a runner would make it. */
export async function makeZip(files: Record<string, string | Uint8Array>): Promise<Uint8Array> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), { useWebWorkers: false });
  for (const [name, content] of Object.entries(files)) {
    await writer.add(name, typeof content === 'string' ? new TextReader(content) : new Uint8ArrayReader(content));
  }
  return new Uint8Array(await (await writer.close()).arrayBuffer());
}

export async function objectKeys(prefix: string): Promise<string[]> {
  const page = await s3().send(new ListObjectsV2Command({ Bucket: config().bucketName, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key!);
}

export interface RunningJob {
  id: number;
  token: string;
  projectId: number;
  pipelineId: number;
}

/** A project whose `.gitlab-ci.yml` is `ci`, and a runner to take its jobs. */
export async function projectWithRunner(server: GitLabServer, name: string, ci: string): Promise<{ projectId: number; runnerToken: string }> {
  const projectId = (await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name } })).body.id;
  await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/.gitlab-ci.yml`, {
    token: server.root,
    json: { branch: 'main', content: ci, commit_message: 'ci [skip ci]' },
  });
  return { projectId, runnerToken: (await makeRunner(server)).token };
}

/** Starts a pipeline on `ref` and takes its first job. */
export async function startJob(server: GitLabServer, projectId: number, runnerToken: string, ref = 'main'): Promise<RunningJob> {
  const pipeline = await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref } });
  if (pipeline.status !== 201) throw new Error(`pipeline: ${pipeline.status} ${pipeline.text}`);
  const job = await requestJob(server, runnerToken);
  if (job.status !== 201) throw new Error(`request: ${job.status} ${job.text}`);
  return { id: job.body.id, token: job.body.token, projectId, pipelineId: pipeline.body.id };
}

/** Uploads `bytes` the way our runner does: authorize, PUT to the presigned URL, register. */
export async function uploadViaAuthorize(server: GitLabServer, job: RunningJob, bytes: Uint8Array, query = 'artifact_type=archive&artifact_format=zip') {
  const authorized = await http(server, 'POST', `/api/v4/jobs/${job.id}/artifacts/authorize?${query}&filesize=${bytes.length}`, { jobToken: job.token });
  if (authorized.status !== 200) return authorized;
  const remote = authorized.body.RemoteObject;
  const put = await fetch(remote.StoreURL, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
  if (put.status !== 200) throw new Error(`PUT ${put.status}`);
  const form = new FormData();
  form.set('file.remote_id', remote.ID);
  form.set('file.name', 'artifacts.zip');
  form.set('file.size', String(bytes.length));
  form.set('file.sha256', createHash('sha256').update(bytes).digest('hex'));
  const response = await fetch(`${server.url}/api/v4/jobs/${job.id}/artifacts?${query}`, { method: 'POST', headers: { 'JOB-TOKEN': job.token }, body: form });
  return { status: response.status, text: await response.text() };
}
