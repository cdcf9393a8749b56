import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, finishJob, http, makeRunner, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';
import { codearts, mintToken, shellTask } from '../support';

/**
 * A CodeArts build checks out code like any GitLab job: its job's `git_info` names the task's
 * repository at the run's `codeBranch`, tag or commit (what the repository does not hold stays
 * at `main`), with the steps committed on `main`.
 */
let server: GitLabServer;
let runner: { id: number; token: string };
let token: string;

beforeAll(async () => {
  server = await startGitLab();
  runner = await makeRunner(server);
  token = (await mintToken(server, { project: { name: 'cn-north-4', domain: { name: 'acme' } } })).token;
});
afterAll(async () => server.stop());

async function takeJob(): Promise<Record<string, any>> {
  const job = (await requestJob(server, runner.token)).body;
  await finishJob(server, job.id, job.token, 'success');
  return job;
}

describe('CodeArts checkout', () => {
  it("hands the runner the task's repository at the run's branch, tag or commit", async () => {
    const created = await codearts(server, 'POST', '/v3/jobs/create', token, shellTask('cat app.txt'));
    const jobId = created.body.result.job_id as string;
    const project = `codearts-build/${jobId}`;
    const path = encodeURIComponent(project);
    const api = client(server, server.root);
    const feature = await api.Commits.create(project, 'feature', 'code [ci skip]', [{ action: 'create', filePath: 'app.txt', content: 'feature code' }], { startBranch: 'main' });
    await api.Tags.create(project, 'v1', 'feature');
    const later = await api.Commits.create(project, 'feature', 'more [ci skip]', [{ action: 'update', filePath: 'app.txt', content: 'later code' }]);
    // The tag's commit says [ci skip]: no push pipeline of its own waits for the runner.
    expect((await requestJob(server, runner.token)).status).toBe(204);

    await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId, parameter: [{ name: 'codeBranch', value: 'feature' }] });
    const onBranch = await takeJob();
    expect(onBranch.git_info).toMatchObject({ ref: 'feature', sha: later.id, ref_type: 'branch' });
    expect(onBranch.git_info.repo_url).toContain(`/codearts-build/${jobId}.git`);
    expect(onBranch.steps[0].script).toContain('cat app.txt');

    await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId, parameter: [{ name: 'codeBranch', value: 'feature' }], scm: { build_commit_id: feature.id.slice(0, 12) } });
    expect((await takeJob()).git_info).toMatchObject({ ref: 'feature', sha: feature.id });

    await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId, scm: { build_tag: 'v1' } });
    expect((await takeJob()).git_info).toMatchObject({ ref: 'v1', sha: feature.id, ref_type: 'tag' });

    const main = (await http(server, 'GET', `/api/v4/projects/${path}/repository/commits/main`, { token: server.root })).body.id;
    await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId, parameter: [{ name: 'codeBranch', value: 'nowhere' }] });
    expect((await takeJob()).git_info).toMatchObject({ ref: 'main', sha: main });
  });
});
