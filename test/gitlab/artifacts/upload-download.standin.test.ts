import { request } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3 } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { getJob } from '../../../shared/gitlab/store/jobs';
import { client, finishJob, http, startGitLab, type GitLabServer } from '../../support/gitlab';
import { makeZip, objectKeys, projectWithRunner, startJob, uploadViaAuthorize, type RunningJob } from './helpers';

/**
 * Uploading an archive (authorize + presigned URL, a stock runner's POST, multipart for large
 * ones) and every download of the seeds: the archive by job and by ref (302 to S3), one file by
 * job and by ref (read with ranged GETs), with GitLab's headers and errors.
 */
let server: GitLabServer;
let projectId: number;
let runnerToken: string;
let job: RunningJob;

const CI = 'build: { script: make, artifacts: { paths: [out/], expire_in: 1 week } }';
const FILES = { 'out/report.txt': 'all good\n', 'out/data/values.json': '{"answer":42}', 'out/dir/': '' };

function lengthPrefixedStrings(bytes: Buffer): string[] {
  const strings: string[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    strings.push(bytes.subarray(offset + 4, offset + 4 + length).toString('utf8'));
    offset += 4 + length;
  }
  return strings;
}

function rawGet(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sent = request({ host: url.hostname, port: url.port, path, headers: { 'PRIVATE-TOKEN': server.root } }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

beforeAll(async () => {
  server = await startGitLab();
  ({ projectId, runnerToken } = await projectWithRunner(server, 'artifacts', CI));
  job = await startJob(server, projectId, runnerToken);
});
afterAll(async () => server.stop());

describe('upload through authorize', () => {
  it('hands out presigned URLs as Workhorse gets them, for running jobs only', async () => {
    const answer = await http(server, 'POST', `/api/v4/jobs/${job.id}/artifacts/authorize?artifact_type=archive&artifact_format=zip&filesize=100`, { jobToken: job.token });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/vnd.gitlab-workhorse+json');
    expect(answer.body.RemoteObject).toMatchObject({ ID: expect.any(String), StoreURL: expect.stringContaining('X-Amz-Signature'), MultipartUpload: null });
    expect(answer.body.MaximumSize).toBe(100 * 1024 * 1024);
    const big = await http(server, 'POST', `/api/v4/jobs/${job.id}/artifacts/authorize?filesize=${200 * 1024 * 1024}`, { jobToken: job.token });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ message: '413 Request Entity Too Large' });
    expect((await http(server, 'POST', `/api/v4/jobs/${job.id}/artifacts/authorize`, { jobToken: 'wrong' })).status).toBe(403);
    const badPair = await http(server, 'POST', `/api/v4/jobs/${job.id}/artifacts/authorize?artifact_type=archive&artifact_format=gzip`, { jobToken: job.token });
    expect(badPair.status).toBe(400);
    const badType = await http(server, 'POST', `/api/v4/jobs/${job.id}/artifacts/authorize?artifact_type=nonsense`, { jobToken: job.token });
    expect(badType.body).toEqual({ error: 'artifact_type does not have a valid value' });
  });

  it('registers the uploaded archive and its metadata.gz (the file list) beside it', async () => {
    const zip = await makeZip(FILES);
    const result = await uploadViaAuthorize(server, job, zip, 'artifact_type=archive&artifact_format=zip&expire_in=1%20week');
    expect(result).toMatchObject({ status: 201, text: '201' });
    const stored = (await getJob(job.id))!;
    expect(stored.artifacts.map((artifact) => [artifact.fileType, artifact.fileFormat, artifact.filename])).toEqual([
      ['archive', 'zip', 'artifacts.zip'],
      ['metadata', 'gzip', 'metadata.gz'],
    ]);
    expect(stored.artifacts[0]!.size).toBe(zip.length);
    expect(stored.artifactsExpireAt! - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    const metadata = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: stored.artifacts[1]!.objectKey }));
    const strings = lengthPrefixedStrings(gunzipSync(await metadata.Body!.transformToByteArray()));
    expect(strings.slice(0, 2)).toEqual(['GitLab Build Artifacts Metadata 0.0.2\n', '{}']);
    expect(strings.filter((_, i) => i >= 2 && i % 2 === 0)).toEqual(['out/report.txt', 'out/data/values.json', 'out/dir/']);
    expect(JSON.parse(strings[3]!)).toMatchObject({ size: 9, mode: expect.any(String), crc: expect.any(Number) });
  });

  it('refuses a second archive with other content and ignores the same one', async () => {
    const other = await uploadViaAuthorize(server, job, await makeZip({ 'x.txt': 'x' }));
    expect([other.status, other.text]).toEqual([400, '{"message":"400 Bad request - another artifact of the same type already exists"}']);
    const before = (await getJob(job.id))!.artifacts;
    const archive = before.find((artifact) => artifact.fileType === 'archive')!;
    const original = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: archive.objectKey }));
    const same = await uploadViaAuthorize(server, job, await original.Body!.transformToByteArray());
    expect(same.status).toBe(201);
    expect((await getJob(job.id))!.artifacts).toEqual(before);
  });

  it('takes a report as its own artifact', async () => {
    const report = new Uint8Array(gzipSync('<testsuites/>'));
    const result = await uploadViaAuthorize(server, job, report, 'artifact_type=junit&artifact_format=gzip');
    expect(result.status).toBe(201);
    expect((await getJob(job.id))!.artifacts.map((artifact) => artifact.fileType)).toContain('junit');
  });
});

describe('downloads', () => {
  const base = () => `/api/v4/projects/${projectId}/jobs/${job.id}/artifacts`;

  beforeAll(async () => {
    await http(server, 'PATCH', `/api/v4/jobs/${job.id}/trace`, { body: 'built\n', headers: { 'JOB-TOKEN': job.token, 'Content-Range': '0-5' } });
    await finishJob(server, job.id, job.token, 'success');
  });

  it('redirects the archive to a short-lived presigned URL with GitLab’s Content-Disposition', async () => {
    const response = await fetch(`${server.url}${base()}`, { headers: { 'PRIVATE-TOKEN': server.root }, redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = response.headers.get('location')!;
    expect(location).toContain('X-Amz-Expires=300');
    const file = await fetch(location);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="artifacts.zip"; filename*=UTF-8''artifacts.zip`);
    expect(Buffer.from(await file.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    const head = await fetch(`${server.url}${base()}`, { method: 'HEAD', headers: { 'PRIVATE-TOKEN': server.root }, redirect: 'manual' });
    expect(head.status).toBe(302);
    const headed = await fetch(head.headers.get('location')!, { method: 'HEAD' });
    expect([headed.status, headed.headers.get('content-length')]).toEqual([200, String((await getJob(job.id))!.artifacts[0]!.size)]);
  });

  it('serves one file by job, with its type and name, literal or encoded slashes alike', async () => {
    const literal = await http(server, 'GET', `${base()}/out/data/values.json`, { token: server.root });
    expect(literal.status).toBe(200);
    expect(literal.body).toEqual({ answer: 42 });
    expect(literal.headers.get('content-type')).toBe('application/json');
    expect(literal.headers.get('content-disposition')).toBe(`attachment; filename="values.json"; filename*=UTF-8''values.json`);
    const encoded = await http(server, 'GET', `${base()}/out%2Freport.txt`, { token: server.root });
    expect(encoded.text).toBe('all good\n');
    expect(encoded.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('answers a missing file or directory with 404 and path tricks with 400', async () => {
    for (const path of ['out/nope.txt', 'out/dir/', 'out']) {
      const missing = await http(server, 'GET', `${base()}/${path}`, { token: server.root });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ message: '404 Not Found' });
    }
    // Literal dot segments are resolved by URL parsing before routing (out/../x is out's sibling x);
    // encoded ones reach the handler and are refused. Sent as written, as `curl --path-as-is` does.
    for (const path of ['out%2F..%2F..%2Fetc%2Fpasswd', '..%2Fsecret', '%2Fetc%2Fpasswd', 'out%5Creport.txt', 'out%2F.%2Freport.txt', 'C%3A%5Cwindows']) {
      const refused = await rawGet(`${base()}/${path}`);
      expect([path, refused.status, refused.body]).toEqual([path, 400, '{"message":"400 Bad request"}']);
    }
    // A NUL in the path never reaches an endpoint: GitLab's malformed-strings check answers it.
    expect(await rawGet(`${base()}/out%00x`)).toMatchObject({ status: 400, body: 'Bad Request' });
  });

  it('lists the archive as a tree from its metadata: one level, a folder, or all of it, paged', async () => {
    const root = await http(server, 'GET', `${base()}/tree`, { token: server.root });
    expect(root.status).toBe(200);
    expect(root.body).toEqual([{ name: 'out', path: 'out/', type: 'directory', mode: expect.stringMatching(/^040\d{3}$/) }]);
    const out = await http(server, 'GET', `${base()}/tree?path=out`, { token: server.root });
    expect(out.body.map((entry: { path: string; type: string }) => `${entry.type} ${entry.path}`)).toEqual(['directory out/data/', 'directory out/dir/', 'file out/report.txt']);
    expect(out.body[2]).toMatchObject({ name: 'report.txt', size: 9, mode: expect.stringMatching(/^100\d{3}$/) });
    const all = await http(server, 'GET', `${base()}/tree?recursive=true&per_page=2&page=2`, { token: server.root });
    expect(all.body.map((entry: { path: string }) => entry.path)).toEqual(['out/dir/', 'out/data/values.json']);
    expect([all.headers.get('x-total'), all.headers.get('x-next-page')]).toEqual(['5', '3']);
    const missing = await http(server, 'GET', `${base()}/tree?path=nowhere`, { token: server.root });
    expect([missing.status, missing.body]).toEqual([404, { message: '404 Not Found' }]);
  });

  it('finds the archive and a file by ref and job name, for gitbeaker too', async () => {
    const byRef = await fetch(`${server.url}/api/v4/projects/${projectId}/jobs/artifacts/main/download?job=build`, { headers: { 'PRIVATE-TOKEN': server.root }, redirect: 'manual' });
    expect(byRef.status).toBe(302);
    const raw = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/artifacts/main/raw/out/report.txt?job=build`, { token: server.root });
    expect(raw.text).toBe('all good\n');
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/artifacts/main/download`, { token: server.root })).body).toEqual({ error: 'job is missing' });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/artifacts/other/download?job=build`, { token: server.root })).body).toEqual({ message: '404 Not found' });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/artifacts/main/download?job=deploy`, { token: server.root })).status).toBe(404);

    const api = client(server, server.root);
    const archive = await api.JobArtifacts.downloadArchive(projectId, { jobId: job.id });
    expect(archive.size).toBeGreaterThan(100);
    // gitbeaker reads text and JSON answers by their content type.
    const file = await api.JobArtifacts.downloadArchive(projectId, { jobId: job.id, artifactPath: 'out/report.txt' });
    expect(file).toBe('all good\n');
    const refFile = await api.JobArtifacts.downloadArchive(projectId, { ref: 'main', job: 'build', artifactPath: 'out/data/values.json' });
    expect(refFile).toEqual({ answer: 42 });
  });

  it('takes refs with slashes, literal (python-gitlab, curl) or encoded (gitbeaker)', async () => {
    await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/notes.txt`, {
      token: server.root,
      json: { branch: 'feature/x', start_branch: 'main', content: 'x', commit_message: 'branch [skip ci]' },
    });
    const branchJob = await startJob(server, projectId, runnerToken, 'feature/x');
    expect((await uploadViaAuthorize(server, branchJob, await makeZip({ 'raw/file.txt': 'on a branch' }))).status).toBe(201);
    await finishJob(server, branchJob.id, branchJob.token, 'success');
    for (const ref of ['feature/x', 'feature%2Fx']) {
      const file = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/artifacts/${ref}/raw/raw/file.txt?job=build`, { token: server.root });
      expect([ref, file.status, file.text]).toEqual([ref, 200, 'on a branch']);
      const archive = await fetch(`${server.url}/api/v4/projects/${projectId}/jobs/artifacts/${ref}/download?job=build`, { headers: { 'PRIVATE-TOKEN': server.root }, redirect: 'manual' });
      expect(archive.status).toBe(302);
    }
  });

  it('extracts a file too large to stream once to S3 and redirects to it', async () => {
    process.env.GITLAB_ARTIFACT_INLINE_LIMIT_BYTES = '4';
    try {
      for (let round = 0; round < 2; round++) {
        const response = await fetch(`${server.url}${base()}/out/report.txt`, { headers: { 'PRIVATE-TOKEN': server.root }, redirect: 'manual' });
        expect(response.status).toBe(302);
        const file = await fetch(response.headers.get('location')!);
        expect(await file.text()).toBe('all good\n');
        expect(file.headers.get('content-disposition')).toContain('filename="report.txt"');
      }
      const archive = (await getJob(job.id))!.artifacts.find((artifact) => artifact.fileType === 'archive')!;
      expect(await objectKeys(archive.objectKey!.replace(/artifacts\.zip$/, 'entries/'))).toHaveLength(1);
    } finally {
      delete process.env.GITLAB_ARTIFACT_INLINE_LIMIT_BYTES;
    }
  });

  it('lets a runner fetch a dependency with its own or a running job’s token, no other', async () => {
    const response = await fetch(`${server.url}/api/v4/jobs/${job.id}/artifacts?direct_download=true`, { headers: { 'JOB-TOKEN': 'nope' }, redirect: 'manual' });
    expect(response.status).toBe(403);
    const dependent = await startJob(server, projectId, runnerToken);
    const allowed = await fetch(`${server.url}/api/v4/jobs/${job.id}/artifacts?direct_download=true`, { headers: { 'JOB-TOKEN': dependent.token }, redirect: 'manual' });
    expect(allowed.status).toBe(302);
    await finishJob(server, dependent.id, dependent.token, 'success');
  });

  it('keeps private projects’ artifacts from anonymous callers', async () => {
    expect((await http(server, 'GET', base())).body).toEqual({ message: '404 Project Not Found' });
  });

  it('archives the finished trace to S3 and serves it from there', async () => {
    const stored = (await getJob(job.id))!;
    const trace = stored.artifacts.find((artifact) => artifact.fileType === 'trace')!;
    expect(trace).toMatchObject({ fileFormat: 'raw', filename: 'job.log', size: 6 });
    const object = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: trace.objectKey }));
    expect(await object.Body!.transformToString()).toBe('built\n');
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}/trace`, { token: server.root })).text).toBe('built\n');
    const shown = (await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}`, { token: server.root })).body;
    expect(shown.artifacts.map((artifact: { file_type: string }) => artifact.file_type)).toEqual(['archive', 'metadata', 'trace', 'junit']);
  });
});

describe('a stock runner’s whole-archive POST', () => {
  let stock: RunningJob;
  beforeAll(async () => {
    stock = await startJob(server, projectId, runnerToken);
  });

  function post(bytes: Uint8Array) {
    const form = new FormData();
    form.set('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'my-artifacts.zip');
    return fetch(`${server.url}/api/v4/jobs/${stock.id}/artifacts?artifact_type=archive&artifact_format=zip&expire_in=never`, { method: 'POST', headers: { 'JOB-TOKEN': stock.token }, body: form });
  }

  it('accepts an archive that fits in a Lambda request', async () => {
    const response = await post(await makeZip({ 'a.txt': 'stock' }));
    expect([response.status, await response.text()]).toEqual([201, '201']);
    const stored = (await getJob(stock.id))!;
    expect(stored.artifacts[0]).toMatchObject({ fileType: 'archive', filename: 'my-artifacts.zip', expireAt: null });
    expect(stored.artifactsExpireAt).toBeNull();
  });

  it('answers a larger one with GitLab’s 413, and a missing file with 400', async () => {
    process.env.GITLAB_ARTIFACTS_POST_LIMIT_BYTES = '1000';
    try {
      const response = await post(new Uint8Array(5000));
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ message: '413 Request Entity Too Large' });
    } finally {
      delete process.env.GITLAB_ARTIFACTS_POST_LIMIT_BYTES;
    }
    const empty = await http(server, 'POST', `/api/v4/jobs/${stock.id}/artifacts`, { jobToken: stock.token });
    expect(empty.body).toEqual({ message: '400 Bad request - Missing artifacts file!' });
  });

  it('refuses what is not a zip, leaving nothing behind', async () => {
    const other = await startJob(server, projectId, runnerToken);
    const form = new FormData();
    form.set('file', new Blob(['not a zip']), 'artifacts.zip');
    const response = await fetch(`${server.url}/api/v4/jobs/${other.id}/artifacts`, { method: 'POST', headers: { 'JOB-TOKEN': other.token }, body: form });
    expect(response.status).toBe(400);
    expect((await getJob(other.id))!.artifacts).toEqual([]);
    await finishJob(server, other.id, other.token, 'success');
  });

  it('refuses uploads once the job has finished', async () => {
    await finishJob(server, stock.id, stock.token, 'success');
    const response = await post(await makeZip({ 'b.txt': 'late' }));
    expect(response.status).toBe(403);
  });
});

describe('a multipart upload for a large archive', () => {
  it('uploads the parts to presigned URLs, completes, and registers', async () => {
    const large = await startJob(server, projectId, runnerToken);
    const big = new Uint8Array(12 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
    const zip = await makeZip({ 'big.bin': big, 'small.txt': 'small' });
    const authorized = await http(server, 'POST', `/api/v4/jobs/${large.id}/artifacts/authorize?artifact_type=archive&artifact_format=zip`, { jobToken: large.token });
    const multipart = authorized.body.RemoteObject.MultipartUpload;
    expect(multipart.PartSize).toBe(5 * 1024 * 1024);
    const etags: string[] = [];
    for (let offset = 0, part = 0; offset < zip.length; offset += multipart.PartSize, part++) {
      const response = await fetch(multipart.PartURLs[part], { method: 'PUT', body: zip.subarray(offset, offset + multipart.PartSize) });
      etags.push(response.headers.get('etag')!);
    }
    const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    expect((await fetch(multipart.CompleteURL, { method: 'POST', body: xml })).status).toBe(200);
    const form = new FormData();
    form.set('file.remote_id', authorized.body.RemoteObject.ID);
    const registered = await fetch(`${server.url}/api/v4/jobs/${large.id}/artifacts`, { method: 'POST', headers: { 'JOB-TOKEN': large.token }, body: form });
    expect(registered.status).toBe(201);
    await finishJob(server, large.id, large.token, 'success');
    const small = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${large.id}/artifacts/small.txt`, { token: server.root });
    expect(small.text).toBe('small');
  });
});
