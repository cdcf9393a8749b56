import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGitLabDuties } from '../../../shared/gitlab/services/duties';
import { finishJob, http, makeRunner, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/** The runner protocol as gitlab-runner speaks it, over plain HTTP. */
let server: GitLabServer;

async function runPipeline(projectId: number): Promise<number> {
  const pipeline = await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref: 'main' } });
  expect(pipeline.status, pipeline.text).toBe(201);
  return pipeline.body.id;
}

function patchTrace(jobId: number, token: string, range: string | undefined, body: string) {
  return http(server, 'PATCH', `/api/v4/jobs/${jobId}/trace`, { body, headers: { 'JOB-TOKEN': token, ...(range ? { 'Content-Range': range } : {}) } });
}

beforeAll(async () => {
  server = await startGitLab();
});
afterAll(async () => server.stop());

describe('registration', () => {
  it('registers a project runner with the registration token, verifies and unregisters it', async () => {
    const project = await projectWithCi(server, 'registered', 'job: { script: x }');
    expect(project.runnersToken).toMatch(/^GR1348941/);
    const registered = await http(server, 'POST', '/api/v4/runners', { json: { token: project.runnersToken, description: 'mine', tag_list: 'a,b', run_untagged: false } });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ id: expect.any(Number), token: expect.stringMatching(/^glrt-/), token_expires_at: null });
    expect((await http(server, 'POST', '/api/v4/runners', { json: { token: 'nope' } })).body).toEqual({ message: '403 Forbidden' });
    expect((await http(server, 'POST', '/api/v4/runners', { json: {} })).body).toEqual({ error: 'token is missing' });

    const verified = await http(server, 'POST', '/api/v4/runners/verify', { json: { token: registered.body.token, system_id: 's_1' } });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ id: registered.body.id, token: registered.body.token });
    expect((await http(server, 'POST', '/api/v4/runners/verify', { json: { token: 'glrt-unknown' } })).status).toBe(403);

    expect((await http(server, 'DELETE', '/api/v4/runners', { json: { token: registered.body.token } })).status).toBe(204);
    expect((await requestJob(server, registered.body.token)).status).toBe(403);
  });

  it('rotates a project registration token', async () => {
    const project = await projectWithCi(server, 'rotated', 'job: { script: x }');
    const reset = await http(server, 'POST', `/api/v4/projects/${project.id}/runners/reset_registration_token`, { token: server.root });
    expect(reset.status).toBe(201);
    expect((await http(server, 'POST', '/api/v4/runners', { json: { token: project.runnersToken } })).status).toBe(403);
    expect((await http(server, 'POST', '/api/v4/runners', { json: { token: reset.body.token } })).status).toBe(201);
  });
});

describe('taking jobs', () => {
  it('answers 204 with the queue value, echoes an unchanged one, and hands out a job once one is pending', async () => {
    const runner = await makeRunner(server, { tags: ['queue-test'], runUntagged: false });
    const empty = await requestJob(server, runner.token);
    expect(empty.status).toBe(204);
    const value = empty.headers.get('x-gitlab-last-update');
    expect(value).toBeTruthy();
    const cached = await requestJob(server, runner.token, { last_update: value });
    expect(cached.status).toBe(204);
    expect(cached.headers.get('x-gitlab-last-update')).toBe(value);

    const project = await projectWithCi(server, 'queue', 'job: { script: x, tags: [queue-test] }');
    await runPipeline(project.id);
    const changed = await requestJob(server, runner.token, { last_update: value });
    expect(changed.status).toBe(201);
    expect(changed.headers.get('x-gitlab-last-update')).toBeNull();
    expect(changed.body.job_info.project_id).toBe(project.id);
    await finishJob(server, changed.body.id, changed.body.token, 'success');
    expect((await http(server, 'POST', '/api/v4/jobs/request', { json: {} })).body).toEqual({ error: 'token is missing' });
    expect((await requestJob(server, 'glrt-bogus')).body).toEqual({ message: '403 Forbidden' });
  });

  it('gives each pending job to exactly one of many racing runners', async () => {
    const runners = await Promise.all(Array.from({ length: 6 }, () => makeRunner(server, { tags: ['race'], runUntagged: false })));
    const project = await projectWithCi(server, 'race', 'a: { script: x, tags: [race] }\nb: { script: x, tags: [race] }\nc: { script: x, tags: [race] }');
    await runPipeline(project.id);
    const answers = await Promise.all(runners.map((runner) => requestJob(server, runner.token)));
    const taken = answers.filter((answer) => answer.status === 201).map((answer) => answer.body.id);
    expect(taken).toHaveLength(3);
    expect(new Set(taken).size).toBe(3);
    expect(answers.filter((answer) => answer.status === 204)).toHaveLength(3);
  });

  it('keeps project runners to their project and untagged jobs to runners that run untagged jobs', async () => {
    const mine = await projectWithCi(server, 'mine', 'job: { script: x, tags: [own] }');
    const other = await projectWithCi(server, 'other', 'job: { script: x, tags: [own] }\nplain: { script: x }');
    const registered = await http(server, 'POST', '/api/v4/runners', { json: { token: mine.runnersToken, tag_list: 'own', run_untagged: false } });
    await runPipeline(other.id);
    expect((await requestJob(server, registered.body.token)).status).toBe(204);
    await runPipeline(mine.id);
    const job = await requestJob(server, registered.body.token);
    expect(job.body.job_info.project_id).toBe(mine.id);
    const tagless = await makeRunner(server, { tags: [], runUntagged: false });
    expect((await requestJob(server, tagless.token)).status).toBe(204);
  });
});

describe('logs and job updates', () => {
  let runner: { id: number; token: string };
  beforeAll(async () => {
    runner = await makeRunner(server, { tags: ['logs'], runUntagged: false });
  });

  async function takeJob(ci: string) {
    const project = await projectWithCi(server, `logs-${Math.random().toString(36).slice(2, 8)}`, ci);
    await runPipeline(project.id);
    const job = await requestJob(server, runner.token, { info: { features: { cancel_gracefully: ci.includes('graceful') } } });
    expect(job.status).toBe(201);
    return { projectId: project.id, job: job.body as { id: number; token: string } };
  }

  it('appends in order: 202 with Range, 416 with the current size on a gap, a restart from 0 replaces the log', async () => {
    const { projectId, job } = await takeJob('job: { script: x, tags: [logs] }');
    const first = await patchTrace(job.id, job.token, '0-4', 'line1');
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-5');
    expect(first.headers.get('x-gitlab-trace-update-interval')).toBe('60');
    const gap = await patchTrace(job.id, job.token, '10-14', 'later');
    expect(gap.status).toBe(416);
    expect(gap.headers.get('range')).toBe('0-5');
    expect(gap.body).toEqual({ error: '416 Range Not Satisfiable' });
    const overlap = await patchTrace(job.id, job.token, '2-4', 'xxx');
    expect(overlap.status).toBe(416);
    expect((await patchTrace(job.id, job.token, '5-10', '\nline2')).headers.get('range')).toBe('0-11');
    const missing = await patchTrace(job.id, job.token, undefined, 'x');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: '400 Missing header Content-Range' });
    const trace = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}/trace`, { token: server.root });
    expect(trace.text).toBe('line1\nline2');
    expect(trace.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(trace.headers.get('content-disposition')).toBe(`infile; filename="${job.id}.log"`);
    await patchTrace(job.id, job.token, '0-2', 'new');
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}/trace`, { token: server.root })).text).toBe('new');
    expect((await patchTrace(job.id, 'wrong-token', '3-3', 'x')).status).toBe(403);
  });

  it('lets concurrent appends at one offset win once', async () => {
    const { projectId, job } = await takeJob('job: { script: x, tags: [logs] }');
    const answers = await Promise.all(['aaaa', 'bbbb', 'cccc', 'dddd'].map((body) => patchTrace(job.id, job.token, '0-3', body)));
    // Offset 0 restarts the log, so later writers at 0 may win in turn; the log is one of the bodies, never a mix.
    expect(answers.some((answer) => answer.status === 202)).toBe(true);
    const trace = (await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}/trace`, { token: server.root })).text;
    expect(['aaaa', 'bbbb', 'cccc', 'dddd']).toContain(trace);
    const appends = await Promise.all(['1111', '2222', '3333'].map((body) => patchTrace(job.id, job.token, '4-7', body)));
    expect(appends.filter((answer) => answer.status === 202)).toHaveLength(1);
    expect(appends.filter((answer) => answer.status === 416)).toHaveLength(2);
  });

  it('tells a runner its job was canceled through Job-Status and 403s', async () => {
    const { projectId, job } = await takeJob('job: { script: x, tags: [logs] }');
    const canceled = await http(server, 'POST', `/api/v4/projects/${projectId}/jobs/${job.id}/cancel`, { token: server.root });
    expect(canceled.status).toBe(201);
    expect(canceled.body.status).toBe('canceled');
    const patch = await patchTrace(job.id, job.token, '0-1', 'hi');
    expect(patch.status).toBe(403);
    expect(patch.body).toEqual({ message: '403 Forbidden - Job is not running' });
    expect(patch.headers.get('job-status')).toBe('canceled');
    const put = await finishJob(server, job.id, job.token, 'success');
    expect(put.status).toBe(403);
    expect(put.body).toEqual({ message: '403 Forbidden - Job is not running' });
    expect(put.headers.get('job-status')).toBe('canceled');
  });

  it('lets a runner that cancels gracefully finish: canceling, then canceled', async () => {
    const { projectId, job } = await takeJob('graceful: { script: x, tags: [logs] }');
    const canceling = await http(server, 'POST', `/api/v4/projects/${projectId}/jobs/${job.id}/cancel`, { token: server.root });
    expect(canceling.body.status).toBe('canceling');
    const patch = await patchTrace(job.id, job.token, '0-1', 'hi');
    expect(patch.status).toBe(202);
    expect(patch.headers.get('job-status')).toBe('canceling');
    const put = await finishJob(server, job.id, job.token, 'success');
    expect(put.status).toBe(200);
    expect(put.headers.get('job-status')).toBe('canceled');
    const shown = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}`, { token: server.root });
    expect(shown.body.status).toBe('canceled');
  });

  it('keeps a running job alive, records failures (unknown reasons as unknown_failure) and retries per retry:', async () => {
    const { projectId, job } = await takeJob('job: { script: x, tags: [logs], retry: 1 }');
    const alive = await http(server, 'PUT', `/api/v4/jobs/${job.id}`, { json: { token: job.token, state: 'running' } });
    expect(alive.status).toBe(200);
    expect(alive.headers.get('job-status')).toBe('running');
    expect((await finishJob(server, job.id, job.token, 'failed', { failure_reason: 'made_up', exit_code: 3 })).status).toBe(200);
    const failed = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}`, { token: server.root });
    expect(failed.body).toMatchObject({ status: 'failed', failure_reason: 'unknown_failure' });
    const jobs = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs`, { token: server.root });
    expect(jobs.body.map((entry: { status: string }) => entry.status)).toEqual(['pending', 'failed']);
    const retry = await requestJob(server, runner.token);
    await finishJob(server, retry.body.id, retry.body.token, 'failed', { failure_reason: 'script_failure' });
    const after = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs`, { token: server.root });
    expect(after.body.map((entry: { status: string }) => entry.status)).toEqual(['failed', 'failed']);
    // The job token stops working once its job is finished.
    expect((await http(server, 'GET', '/api/v4/job', { jobToken: retry.body.token })).status).toBe(401);
  });
});

describe('delayed jobs', () => {
  it('are scheduled, then enqueued by the periodic duties when due', async () => {
    const project = await projectWithCi(server, 'delayed', 'later: { script: x, when: delayed, start_in: 1 second }');
    const pipelineId = await runPipeline(project.id);
    const jobs = await http(server, 'GET', `/api/v4/projects/${project.id}/pipelines/${pipelineId}/jobs`, { token: server.root });
    expect(jobs.body[0].status).toBe('scheduled');
    expect((await http(server, 'GET', `/api/v4/projects/${project.id}/pipelines/${pipelineId}`, { token: server.root })).body.status).toBe('scheduled');
    const result = await runGitLabDuties(Date.now() + 2_000);
    expect(result.enqueued).toBeGreaterThanOrEqual(1);
    const after = await http(server, 'GET', `/api/v4/projects/${project.id}/pipelines/${pipelineId}/jobs`, { token: server.root });
    expect(after.body[0].status).toBe('pending');
    expect((await http(server, 'GET', `/api/v4/projects/${project.id}/pipelines/${pipelineId}`, { token: server.root })).body.status).toBe('pending');
  });
});

describe('concurrent updates', () => {
  it('loses no transition when many runners finish jobs of one pipeline at once', async () => {
    const jobs = Array.from({ length: 16 }, (_, i) => `job${i}: { stage: build, script: x, tags: [burst] }`).join('\n');
    const project = await projectWithCi(server, 'burst', `${jobs}\nafter: { stage: test, script: x, tags: [burst] }`);
    const pipelineId = await runPipeline(project.id);
    const runners = await Promise.all(Array.from({ length: 16 }, () => makeRunner(server, { tags: ['burst'], runUntagged: false })));
    const taken = (await Promise.all(runners.map((runner) => requestJob(server, runner.token)))).map((answer) => answer.body);
    expect(new Set(taken.map((job) => job.id)).size).toBe(16);
    const finished = await Promise.all(taken.map((job) => finishJob(server, job.id, job.token, 'success')));
    expect(finished.map((answer) => answer.status)).toEqual(Array(16).fill(200));
    const list = await http(server, 'GET', `/api/v4/projects/${project.id}/pipelines/${pipelineId}/jobs?per_page=100`, { token: server.root });
    expect(list.body.filter((job: { status: string }) => job.status === 'success')).toHaveLength(16);
    expect(list.body.find((job: { name: string }) => job.name === 'after').status).toBe('pending');
    expect((await http(server, 'GET', `/api/v4/projects/${project.id}/pipelines/${pipelineId}`, { token: server.root })).body.status).toBe('running');
  });
});

describe('stuck jobs', () => {
  it('fails builds left pending for a day or running an hour past their timeout', async () => {
    const runner = await makeRunner(server, { tags: ['stuck'], runUntagged: false });
    const project = await projectWithCi(server, 'stuck', 'slow: { script: x, tags: [stuck], timeout: 10 minutes }\nwaiting: { script: x, tags: [never-served] }');
    const pipelineId = await runPipeline(project.id);
    const taken = (await requestJob(server, runner.token)).body;
    expect(taken.runner_info.timeout).toBe(600);

    const early = await runGitLabDuties(Date.now() + 10 * 60_000);
    expect(early.dropped).toBe(0);
    const later = await runGitLabDuties(Date.now() + 25 * 60 * 60_000);
    expect(later.dropped).toBeGreaterThanOrEqual(2);

    const jobs = await http(server, 'GET', `/api/v4/projects/${project.id}/pipelines/${pipelineId}/jobs`, { token: server.root });
    expect(jobs.body.map((job: any) => [job.name, job.status, job.failure_reason]).sort()).toEqual([
      ['slow', 'failed', 'stuck_or_timeout_failure'],
      ['waiting', 'failed', 'stuck_or_timeout_failure'],
    ]);
    const put = await finishJob(server, taken.id, taken.token, 'success');
    expect(put.status).toBe(403);
    expect(put.headers.get('job-status')).toBe('failed');
    expect((await http(server, 'GET', `/api/v4/projects/${project.id}/pipelines/${pipelineId}`, { token: server.root })).body.status).toBe('failed');
  });
});
