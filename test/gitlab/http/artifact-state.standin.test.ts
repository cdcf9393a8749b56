import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJob } from '../../../shared/gitlab/store/jobs';
import { finishJob, http, startGitLab, type GitLabServer } from '../../support/gitlab';
import { makeZip, objectKeys, projectWithRunner, startJob, uploadViaAuthorize, type RunningJob } from '../artifacts/helpers';

/**
 * What keep, delete-artifacts and erase do to a job's artifacts: a runner uploads a real archive
 * (authorize, PUT to S3, register, which also stores the metadata), sends its log and finishes;
 * each step is checked on the Job entity, on the records and on the objects in the bucket.
 */
let server: GitLabServer;
let job: RunningJob;
let zip: Uint8Array;

beforeAll(async () => {
  server = await startGitLab();
  const { projectId, runnerToken } = await projectWithRunner(server, 'artifacts', 'job: { script: x, artifacts: { paths: [out/], expire_in: 1 week } }');
  job = await startJob(server, projectId, runnerToken);
  zip = await makeZip({ 'out/report.txt': 'all green' });
  const upload = await uploadViaAuthorize(server, job, zip, 'artifact_type=archive&artifact_format=zip&expire_in=1%20week');
  if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${upload.text}`);
  await http(server, 'PATCH', `/api/v4/jobs/${job.id}/trace`, { body: 'log', headers: { 'JOB-TOKEN': job.token, 'Content-Range': '0-2' } });
  await finishJob(server, job.id, job.token, 'success');
});
afterAll(async () => server.stop());

const path = () => `/api/v4/projects/${job.projectId}/jobs/${job.id}`;
const artifactKeys = () => objectKeys(`artifacts/gitlab/${job.projectId}/${job.id}/`);
const traceKeys = () => objectKeys(`traces/gitlab/${job.projectId}/${job.id}/`);

describe('artifacts of a finished job', () => {
  it('shows artifacts_file and artifacts as the Job entity does, each backed by an object', async () => {
    const entity = (await http(server, 'GET', path(), { token: server.root })).body;
    expect(entity.artifacts_file).toEqual({ filename: 'artifacts.zip', size: zip.length });
    expect(entity.artifacts.map((artifact: any) => [artifact.file_type, artifact.filename, artifact.file_format])).toEqual([
      ['archive', 'artifacts.zip', 'zip'],
      ['metadata', 'metadata.gz', 'gzip'],
      ['trace', 'job.log', 'raw'],
    ]);
    expect(entity.artifacts[0].size).toBe(zip.length);
    expect(entity.artifacts[1].size).toBeGreaterThan(0);
    expect(entity.artifacts[2].size).toBe(3);
    const expiresIn = Date.parse(entity.artifacts_expire_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(6 * 24 * 3600_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * 24 * 3600_000);
    expect(await artifactKeys()).toHaveLength(2);
    expect(await traceKeys()).toHaveLength(1);
    const download = await http(server, 'GET', `${path()}/artifacts/out/report.txt`, { token: server.root });
    expect([download.status, download.text]).toEqual([200, 'all green']);
  });

  it('keep clears the expiry of every artifact and leaves the objects', async () => {
    const kept = await http(server, 'POST', `${path()}/artifacts/keep`, { token: server.root });
    expect(kept.status).toBe(200);
    expect(kept.body.artifacts_expire_at).toBeNull();
    const record = (await getJob(job.id))!;
    expect(record.artifacts.map((artifact) => [artifact.fileType, artifact.expireAt])).toEqual([
      ['archive', null],
      ['metadata', null],
      ['trace', null],
    ]);
    expect(await artifactKeys()).toHaveLength(2);
  });

  it('delete removes the artifacts and their objects; the log stays, as GitLab does not count it among erasable artifacts', async () => {
    expect((await http(server, 'DELETE', `${path()}/artifacts`, { token: server.root })).status).toBe(204);
    const entity = (await http(server, 'GET', path(), { token: server.root })).body;
    expect(entity.artifacts.map((artifact: any) => artifact.file_type)).toEqual(['trace']);
    expect(entity).not.toHaveProperty('artifacts_file');
    expect(await artifactKeys()).toEqual([]);
    expect(await traceKeys()).toHaveLength(1);
    expect((await http(server, 'GET', `${path()}/trace`, { token: server.root })).text).toBe('log');
    expect((await http(server, 'GET', `${path()}/artifacts`, { token: server.root })).status).toBe(404);
  });

  it('erase removes the log and marks the job erased; then nothing is left to erase', async () => {
    const erased = await http(server, 'POST', `${path()}/erase`, { token: server.root });
    expect(erased.status).toBe(201);
    expect(erased.body).toMatchObject({ artifacts: [], artifacts_expire_at: null });
    expect(Date.parse(erased.body.erased_at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await getJob(job.id))!.erasedBy).toBe(1);
    expect(await traceKeys()).toEqual([]);
    expect((await http(server, 'GET', `${path()}/trace`, { token: server.root })).text).toBe('');
    expect((await http(server, 'POST', `${path()}/erase`, { token: server.root })).body).toEqual({ message: '403 Forbidden - Job is not erasable!' });
  });
});
