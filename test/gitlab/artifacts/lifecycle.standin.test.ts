import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3 } from '../../../shared/aws/clients';
import { config } from '../../../shared/config';
import { sweepExpiredArtifacts } from '../../../shared/gitlab/artifacts/sweep';
import { getJob } from '../../../shared/gitlab/store/jobs';
import { S3_EXPIRED_TAG } from '../../../shared/storage/table-schema';
import { client, finishJob, http, startGitLab, type GitLabServer } from '../../support/gitlab';
import { makeZip, objectKeys, projectWithRunner, startJob, uploadViaAuthorize, type RunningJob } from './helpers';

/**
 * What happens to stored artifacts afterwards: expire_in and the sweeper (which spares the latest
 * successful pipeline of a ref), keep, delete, erase and the project-wide delete, each checked
 * against the objects in the bucket, not only the records.
 */
let server: GitLabServer;
let projectId: number;
let runnerToken: string;
const DAY = 24 * 3600_000;

async function finishedJobWithArtifacts(expireIn: string): Promise<RunningJob> {
  const job = await startJob(server, projectId, runnerToken);
  const upload = await uploadViaAuthorize(server, job, await makeZip({ 'out/a.txt': 'a' }), `artifact_type=archive&artifact_format=zip&expire_in=${encodeURIComponent(expireIn)}`);
  expect(upload.status).toBe(201);
  await http(server, 'PATCH', `/api/v4/jobs/${job.id}/trace`, { body: 'log', headers: { 'JOB-TOKEN': job.token, 'Content-Range': '0-2' } });
  await finishJob(server, job.id, job.token, 'success');
  return job;
}

const prefix = (job: RunningJob) => `artifacts/gitlab/${projectId}/${job.id}/`;
const tracePath = (job: RunningJob) => `traces/gitlab/${projectId}/${job.id}/`;
const jobPath = (job: RunningJob) => `/api/v4/projects/${projectId}/jobs/${job.id}`;

beforeAll(async () => {
  server = await startGitLab();
  ({ projectId, runnerToken } = await projectWithRunner(server, 'lifecycle', 'build: { script: make, artifacts: { paths: [out/] } }'));
});
afterAll(async () => server.stop());

describe('expiry', () => {
  it('removes expired artifacts and their records, keeps the trace, and spares the ref’s latest successful pipeline', async () => {
    const older = await finishedJobWithArtifacts('1 hour');
    const latest = await finishedJobWithArtifacts('1 hour');
    expect(await sweepExpiredArtifacts(Date.now())).toBe(0);
    expect(await sweepExpiredArtifacts(Date.now() + 2 * 3600_000)).toBe(1);

    const swept = (await getJob(older.id))!;
    expect(swept.artifacts.map((artifact) => artifact.fileType)).toEqual(['trace']);
    expect(swept.artifactsExpireAt).toBeNull();
    const keys = await objectKeys(prefix(older));
    expect(keys.length).toBe(2);
    for (const Key of keys) {
      const tags = await s3().send(new GetObjectTaggingCommand({ Bucket: config().bucketName, Key }));
      expect(tags.TagSet).toEqual([{ Key: S3_EXPIRED_TAG, Value: 'true' }]);
    }
    expect((await http(server, 'GET', `${jobPath(older)}/artifacts`, { token: server.root })).status).toBe(404);
    expect((await http(server, 'GET', `${jobPath(older)}/trace`, { token: server.root })).text).toBe('log');
    expect((await getJob(latest.id))!.artifacts.map((artifact) => artifact.fileType)).toEqual(['archive', 'metadata', 'trace']);
  });

  it('serves nothing once expired, even before the sweeper ran', async () => {
    const job = await finishedJobWithArtifacts('1 second');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await http(server, 'GET', `${jobPath(job)}/artifacts`, { token: server.root })).body).toEqual({ message: '404 Not Found' });
  });

  it('keep stops the expiry', async () => {
    const job = await finishedJobWithArtifacts('1 hour');
    await finishedJobWithArtifacts('1 hour');
    expect((await http(server, 'POST', `${jobPath(job)}/artifacts/keep`, { token: server.root })).body.artifacts_expire_at).toBeNull();
    await sweepExpiredArtifacts(Date.now() + DAY);
    expect((await getJob(job.id))!.artifacts.map((artifact) => artifact.fileType)).toEqual(['archive', 'metadata', 'trace']);
  });
});

describe('delete and erase', () => {
  it('delete removes the artifact files and keeps the trace, which is not an erasable artifact (204)', async () => {
    const job = await finishedJobWithArtifacts('never');
    const traceKeys = await objectKeys(tracePath(job));
    expect(traceKeys).toHaveLength(1);
    const removed = await http(server, 'DELETE', `${jobPath(job)}/artifacts`, { token: server.root });
    expect(removed.status).toBe(204);
    expect(await objectKeys(prefix(job))).toEqual([]);
    expect(await objectKeys(tracePath(job))).toEqual(traceKeys);
    expect((await getJob(job.id))!.artifacts.map((artifact) => artifact.fileType)).toEqual(['trace']);
    expect((await http(server, 'GET', `${jobPath(job)}/artifacts`, { token: server.root })).status).toBe(404);
    expect((await http(server, 'GET', `${jobPath(job)}/trace`, { token: server.root })).text).toBe('log');
    // The trace left makes the job erasable still.
    const erased = await http(server, 'POST', `${jobPath(job)}/erase`, { token: server.root });
    expect(erased.status).toBe(201);
    expect(await objectKeys(tracePath(job))).toEqual([]);
    expect((await http(server, 'GET', `${jobPath(job)}/trace`, { token: server.root })).text).toBe('');
  });

  it('delete through the GitLab client library answers 204 too', async () => {
    const job = await finishedJobWithArtifacts('never');
    await client(server, server.root).JobArtifacts.remove(projectId, { jobId: job.id });
    expect(await objectKeys(prefix(job))).toEqual([]);
    expect((await getJob(job.id))!.artifacts.map((artifact) => artifact.fileType)).toEqual(['trace']);
  });

  it('erase removes the objects and the log and marks the job erased', async () => {
    const job = await finishedJobWithArtifacts('never');
    const erased = await http(server, 'POST', `${jobPath(job)}/erase`, { token: server.root });
    expect(erased.status).toBe(201);
    expect(erased.body.artifacts).toEqual([]);
    expect(await objectKeys(prefix(job))).toEqual([]);
    expect(await objectKeys(tracePath(job))).toEqual([]);
  });

  it('the project-wide delete (202) expires all but the latest successful pipeline’s artifacts', async () => {
    const first = await finishedJobWithArtifacts('never');
    const last = await finishedJobWithArtifacts('never');
    const answer = await http(server, 'DELETE', `/api/v4/projects/${projectId}/artifacts`, { token: server.root });
    expect([answer.status, answer.body]).toEqual([202, { message: '202 Accepted' }]);
    expect((await http(server, 'GET', `${jobPath(first)}/artifacts`, { token: server.root })).status).toBe(404);
    await sweepExpiredArtifacts(Date.now());
    expect((await getJob(first.id))!.artifacts.map((artifact) => artifact.fileType)).toEqual(['trace']);
    expect((await getJob(last.id))!.artifacts.map((artifact) => artifact.fileType)).toEqual(['archive', 'metadata', 'trace']);
    const anonymous = await http(server, 'DELETE', `/api/v4/projects/${projectId}/artifacts`);
    expect(anonymous.status).toBe(401);
  });
});
