import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../../../shared/storage/transact';
import { getJob, updateJob } from '../../../shared/gitlab/store/jobs';
import { finishJob, http, makeRunner, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/**
 * What keep, delete-artifacts and erase do to a job's artifact records. The files themselves
 * arrive with the artifacts upload (next issue); here a finished job is given the records an
 * upload leaves, written as that upload will write them.
 */
let server: GitLabServer;
let projectId: number;
let jobId: number;

const WEEK = 7 * 24 * 3600 * 1000;

beforeAll(async () => {
  server = await startGitLab();
  projectId = (await projectWithCi(server, 'artifacts', 'job: { script: x, artifacts: { paths: [out/], expire_in: 1 week } }')).id;
  await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref: 'main' } });
  const runner = await makeRunner(server);
  const job = (await requestJob(server, runner.token)).body;
  jobId = job.id;
  await http(server, 'PATCH', `/api/v4/jobs/${jobId}/trace`, { body: 'log', headers: { 'JOB-TOKEN': job.token, 'Content-Range': '0-2' } });
  await finishJob(server, jobId, job.token, 'success');
});
afterAll(async () => server.stop());

async function giveArtifacts() {
  const job = (await getJob(jobId))!;
  const expireAt = Date.now() + WEEK;
  await transact([
    updateJob(
      job,
      {
        artifacts: [
          { fileType: 'archive', fileFormat: 'zip', filename: 'artifacts.zip', size: 1000, expireAt },
          { fileType: 'metadata', fileFormat: 'gzip', filename: 'metadata.gz', size: 186, expireAt },
        ],
        artifactsExpireAt: expireAt,
      },
      [job.status],
    ),
  ]);
}

const path = () => `/api/v4/projects/${projectId}/jobs/${jobId}`;

describe('artifact records', () => {
  it('shows artifacts_file and artifacts as the Job entity does', async () => {
    await giveArtifacts();
    const job = (await http(server, 'GET', path(), { token: server.root })).body;
    expect(job.artifacts_file).toEqual({ filename: 'artifacts.zip', size: 1000 });
    expect(job.artifacts).toEqual([
      { file_type: 'archive', size: 1000, filename: 'artifacts.zip', file_format: 'zip' },
      { file_type: 'metadata', size: 186, filename: 'metadata.gz', file_format: 'gzip' },
    ]);
    expect(job.artifacts_expire_at).not.toBeNull();
  });

  it('keep clears the expiry', async () => {
    const kept = await http(server, 'POST', `${path()}/artifacts/keep`, { token: server.root });
    expect(kept.status).toBe(200);
    expect(kept.body.artifacts_expire_at).toBeNull();
    expect((await getJob(jobId))!.artifacts.every((artifact) => artifact.expireAt === null)).toBe(true);
  });

  it('delete removes every artifact and the log', async () => {
    expect((await http(server, 'DELETE', `${path()}/artifacts`, { token: server.root })).status).toBe(204);
    const job = (await http(server, 'GET', path(), { token: server.root })).body;
    expect(job.artifacts).toEqual([]);
    expect(job).not.toHaveProperty('artifacts_file');
    expect((await http(server, 'GET', `${path()}/trace`, { token: server.root })).text).toBe('');
  });

  it('erase removes artifacts and marks the job erased; a job with nothing left is not erasable', async () => {
    expect((await http(server, 'POST', `${path()}/erase`, { token: server.root })).body).toEqual({ message: '403 Forbidden - Job is not erasable!' });
    await giveArtifacts();
    const erased = await http(server, 'POST', `${path()}/erase`, { token: server.root });
    expect(erased.status).toBe(201);
    expect(erased.body).toMatchObject({ artifacts: [], artifacts_expire_at: null });
    expect(erased.body.erased_at).not.toBeNull();
    expect((await getJob(jobId))!.erasedBy).toBe(1);
  });
});
