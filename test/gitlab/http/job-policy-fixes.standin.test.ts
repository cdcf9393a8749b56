import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, finishJob, http, makeRunner, makeUser, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';
import { makeZip, uploadViaAuthorize } from '../artifacts/helpers';

/** Debug traces, manual bridges, deleting artifacts before an erase, and retrying manual jobs, as GitLab does them. */
let server: GitLabServer;
let api: InstanceType<typeof Gitlab>;

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
});
afterAll(async () => server.stop());

/** Runs the next job of `tag` to the end with a log, answering its id and token. */
async function runOne(runnerToken: string, log: string, state: 'success' | 'failed' = 'success') {
  const job = await requestJob(server, runnerToken);
  expect(job.status).toBe(201);
  await http(server, 'PATCH', `/api/v4/jobs/${job.body.id}/trace`, { jobToken: job.body.token, body: log, headers: { 'Content-Range': `0-${log.length - 1}` } });
  return { id: job.body.id as number, token: job.body.token as string, finish: () => finishJob(server, job.body.id, job.body.token, state) };
}

describe('the trace of a job in debug mode', () => {
  it('is read only by those who may update builds: a guest or reporter of a public_jobs project gets 403', async () => {
    const projectId = (await projectWithCi(server, 'debugged', 'debug:\n  tags: [debug]\n  variables: { CI_DEBUG_TRACE: "true" }\n  script: [env]\nplain:\n  tags: [debug]\n  script: [env]\n')).id;
    await api.Projects.edit(projectId, { visibility: 'public', publicJobs: true } as never);
    const runner = await makeRunner(server, { tags: ['debug'], runUntagged: false });
    await api.Pipelines.create(projectId, 'main');
    const jobs = [await runOne(runner.token, 'secret=hunter2\n'), await runOne(runner.token, 'nothing secret\n')];
    for (const job of jobs) await job.finish();
    const byName = Object.fromEntries((await api.Jobs.all(projectId)).map((job) => [job.name, job.id]));

    const guest = await makeUser(server, 'debug-guest');
    const reporter = await makeUser(server, 'debug-reporter');
    const developer = await makeUser(server, 'debug-developer');
    await api.ProjectMembers.add(projectId, 10, { userId: guest.id });
    await api.ProjectMembers.add(projectId, 20, { userId: reporter.id });
    await api.ProjectMembers.add(projectId, 30, { userId: developer.id });
    const trace = (id: number, token: string) => http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${id}/trace`, { token });
    expect(await trace(byName.debug, guest.token)).toMatchObject({ status: 403, body: { message: '403 Forbidden' } });
    expect((await trace(byName.debug, reporter.token)).status).toBe(403);
    expect(await trace(byName.debug, developer.token)).toMatchObject({ status: 200, text: 'secret=hunter2\n' });
    expect(await client(server, developer.token).Jobs.showLog(projectId, byName.debug)).toBe('secret=hunter2\n');
    expect(await trace(byName.plain, guest.token)).toMatchObject({ status: 200, text: 'nothing secret\n' });
    // The job is shown all the same.
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${byName.debug}`, { token: guest.token })).status).toBe(200);

    // CI_DEBUG_SERVICES from a project variable does it too, for jobs that get it.
    await api.ProjectVariables.create(projectId, 'CI_DEBUG_SERVICES', 'yes');
    expect((await trace(byName.plain, guest.token)).status).toBe(403);
  });

  it('is also one the runner said it traces in debug mode (`debug_trace` on a trace update)', async () => {
    const projectId = (await projectWithCi(server, 'runner-debugged', 'job:\n  tags: [runner-debug]\n  script: [env]\n')).id;
    await api.Projects.edit(projectId, { visibility: 'public', publicJobs: true } as never);
    const runner = await makeRunner(server, { tags: ['runner-debug'], runUntagged: false });
    await api.Pipelines.create(projectId, 'main');
    const job = await requestJob(server, runner.token);
    expect(job.status).toBe(201);
    const patched = await http(server, 'PATCH', `/api/v4/jobs/${job.body.id}/trace?debug_trace=true`, { jobToken: job.body.token, body: 'x\n', headers: { 'Content-Range': '0-1' } });
    expect(patched.status).toBe(202);
    await finishJob(server, job.body.id, job.body.token, 'success');
    const guest = await makeUser(server, 'runner-debug-guest');
    await api.ProjectMembers.add(projectId, 10, { userId: guest.id });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.body.id}/trace`, { token: guest.token })).status).toBe(403);
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.body.id}/trace`, { token: server.root })).text).toBe('x\n');
    // Its retry starts without it.
    const retried = await api.Jobs.retry(projectId, job.body.id);
    const next = await requestJob(server, runner.token);
    expect(next.body.id).toBe(retried.id);
    await http(server, 'PATCH', `/api/v4/jobs/${retried.id}/trace`, { jobToken: next.body.token, body: 'y\n', headers: { 'Content-Range': '0-1' } });
    await finishJob(server, retried.id, next.body.token, 'success');
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${retried.id}/trace`, { token: guest.token })).toMatchObject({ status: 200, text: 'y\n' });
  });
});

describe('playing a manual bridge', () => {
  it('answers the bridge as pending; the downstream pipeline follows', async () => {
    const projectId = (await projectWithCi(server, 'bridged', 'child:\n  when: manual\n  trigger: { include: child.yml }\n')).id;
    await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/child.yml`, { token: server.root, json: { branch: 'main', content: 'inner: { script: [x] }\n', commit_message: 'child [skip ci]' } });
    const pipeline = await api.Pipelines.create(projectId, 'main');
    const [bridge] = await api.Jobs.allPipelineBridges(projectId, pipeline.id);
    expect(bridge.status).toBe('manual');
    const played = await http(server, 'POST', `/api/v4/projects/${projectId}/jobs/${bridge.id}/play`, { token: server.root });
    expect(played).toMatchObject({ status: 200, body: { id: bridge.id, status: 'pending' } });
    const [after] = await api.Jobs.allPipelineBridges(projectId, pipeline.id);
    expect(after.downstream_pipeline).toMatchObject({ source: 'parent_pipeline' });
  });
});

describe('deleting a job\'s artifacts', () => {
  it('keeps the trace, so erasing the job later still works', async () => {
    const projectId = (await projectWithCi(server, 'kept-trace', 'build:\n  tags: [kept]\n  script: [make]\n  artifacts: { paths: [out/] }\n')).id;
    const runner = await makeRunner(server, { tags: ['kept'], runUntagged: false });
    const pipeline = await api.Pipelines.create(projectId, 'main');
    const job = await runOne(runner.token, 'built\n');
    expect((await uploadViaAuthorize(server, { id: job.id, token: job.token, projectId, pipelineId: pipeline.id }, await makeZip({ 'out/a': 'a' }))).status).toBe(201);
    await job.finish();
    await api.JobArtifacts.remove(projectId, { jobId: job.id });
    const shown = await api.Jobs.show(projectId, job.id);
    expect((shown.artifacts as { file_type: string }[]).map((artifact) => artifact.file_type)).toEqual(['trace']);
    expect(await api.Jobs.showLog(projectId, job.id)).toBe('built\n');
    const erased = await api.Jobs.erase(projectId, job.id);
    expect(erased).toMatchObject({ id: job.id, erased_at: expect.any(String), artifacts: [] });
    expect(await api.Jobs.showLog(projectId, job.id)).toBe('');
  });
});

describe('retrying a manual job', () => {
  it('enqueues the new job at once (pending), as RetryJobService does for actions', async () => {
    const projectId = (await projectWithCi(server, 'manual-retry', 'deploy:\n  tags: [manual-retry]\n  when: manual\n  script: [deploy]\n')).id;
    const runner = await makeRunner(server, { tags: ['manual-retry'], runUntagged: false });
    const pipeline = await api.Pipelines.create(projectId, 'main');
    const [manual] = await api.Jobs.all(projectId, { pipelineId: pipeline.id } as never);
    expect(manual.status).toBe('manual');
    await api.Jobs.play(projectId, manual.id);
    const run = await runOne(runner.token, 'deploying\n', 'failed');
    await run.finish();
    const retried = await api.Jobs.retry(projectId, manual.id);
    expect(retried).toMatchObject({ name: 'deploy', status: 'pending' });
    expect(retried.id).not.toBe(manual.id);
    const taken = await requestJob(server, runner.token);
    expect(taken).toMatchObject({ status: 201, body: { id: retried.id } });
  });
});
