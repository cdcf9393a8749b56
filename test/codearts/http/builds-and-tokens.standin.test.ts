import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishJob, http, makeRunner, makeUser, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';
import { history } from '../../../shared/codearts/services/build-views';
import { codearts, mintToken, shellTask } from '../support';

/**
 * Around the acceptance cases: races between runs, stops and runners; the GitLab side of a build;
 * the token mint; the bootstrap token; create and run validation.
 */
let server: GitLabServer;
let runner: { id: number; token: string };
let T1: string;

async function createTask(token = T1, body: unknown = shellTask('echo hello')): Promise<string> {
  const created = await codearts(server, 'POST', '/v3/jobs/create', token, body);
  expect(created.status, created.text).toBe(200);
  return created.body.result.job_id;
}

const run = (jobId: string, token = T1, extra: Record<string, unknown> = {}) => codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId, ...extra });
const stop = (jobId: string, buildNo: string | number, token = T1) => codearts(server, 'POST', '/v3/jobs/stop', token, { job_id: jobId, build_no: buildNo });
const record = async (jobId: string, buildNo: number, token = T1) => (await codearts(server, 'GET', `/v3/jobs/${jobId}/${buildNo}/record-info`, token)).body.result;

beforeAll(async () => {
  server = await startGitLab();
  runner = await makeRunner(server);
  T1 = (await mintToken(server, { project: { name: 'cn-north-4', domain: { name: 'acme' } } })).token;
});
afterAll(async () => server.stop());

describe('races', () => {
  it('gives concurrent runs of one task dense, distinct build and daily numbers', async () => {
    const jobId = await createTask();
    const runs = await Promise.all(Array.from({ length: 8 }, () => run(jobId)));
    expect(runs.map((response) => response.status)).toEqual(Array(8).fill(200));
    expect(runs.map((response) => Number(response.body.actual_build_number)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const daily = runs.map((response) => response.body.daily_build_number as string);
    expect(new Set(daily).size).toBe(8);
    if (new Set(daily.map((number) => number.split('.')[0])).size === 1) {
      expect(daily.map((number) => Number(number.split('.')[1])).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
    const history = await codearts(server, 'GET', `/v3/jobs/${jobId}/history?limit=100`, T1);
    expect(history.body.total).toBe(8);
    expect(history.body.history_records.map((entry: any) => entry.build_number)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    // Each build has a pipeline of its own: the runner gets eight distinct jobs, then none.
    const jobs = new Set<number>();
    for (let i = 0; i < 8; i++) jobs.add((await requestJob(server, runner.token)).body.id);
    expect(jobs.size).toBe(8);
    expect((await requestJob(server, runner.token)).status).toBe(204);
    for (let buildNo = 1; buildNo <= 8; buildNo++) await stop(jobId, buildNo);
  });

  it('lets exactly one of a stop and the runner finishing the build win', async () => {
    const jobId = await createTask();
    for (let buildNo = 1; buildNo <= 6; buildNo++) {
      await run(jobId);
      const job = (await requestJob(server, runner.token)).body;
      const [stopped, finished] = await Promise.all([stop(jobId, buildNo), finishJob(server, job.id, job.token, 'success')]);
      const status = (await record(jobId, buildNo)).status;
      if (stopped.body.result === true) {
        expect(status).toBe('ABORTED');
        expect(finished.status).toBe(403);
        expect(finished.headers.get('job-status')).toBe('canceled');
      } else {
        expect(stopped.body).toEqual({ result: false });
        expect(status).toBe('SUCCESS');
        expect(finished.status).toBe(200);
      }
    }
    expect((await codearts(server, 'GET', `/v3/jobs/${jobId}/status`, T1)).body).toEqual({ result: false });
  });

  it('lets a stop and a runner claiming the build race without the runner keeping it', async () => {
    const jobId = await createTask();
    for (let buildNo = 1; buildNo <= 4; buildNo++) {
      await run(jobId);
      const [stopped, claimed] = await Promise.all([stop(jobId, buildNo), requestJob(server, runner.token)]);
      expect(stopped.body).toEqual({ result: true });
      expect((await record(jobId, buildNo)).status).toBe('ABORTED');
      if (claimed.status === 201) {
        const trace = await http(server, 'PATCH', `/api/v4/jobs/${claimed.body.id}/trace`, { body: 'x', headers: { 'JOB-TOKEN': claimed.body.token, 'Content-Range': '0-0' } });
        expect(trace.headers.get('job-status')).toBe('canceled');
      } else {
        expect(claimed.status).toBe(204);
      }
    }
  });

  it('answers true to concurrent stops of one build, which is stopped once', async () => {
    const jobId = await createTask();
    await run(jobId);
    const answers = await Promise.all(Array.from({ length: 5 }, () => stop(jobId, 1)));
    expect(answers.map((answer) => answer.body)).toEqual(Array(5).fill({ result: true }));
    expect((await record(jobId, 1)).status).toBe('ABORTED');
  });
});

describe('history', () => {
  it('counts only the builds of the interval, reading pages as key ranges', async () => {
    const jobId = await createTask();
    for (let i = 0; i < 3; i++) await run(jobId);
    const admin = { kind: 'bootstrap' } as const;
    const page = (days: number, later: number, limit = 10, pageNo = 0) => history(admin, jobId, { page: pageNo, limit, intervalDays: days }, Date.now() + later);
    const DAY = 86_400_000;
    expect((await page(7, 0)).total).toBe(3);
    expect((await page(7, 8 * DAY)).total).toBe(0);
    expect((await page(30, 8 * DAY)).views.map((view) => view.record.buildNo)).toEqual([3, 2, 1]);
    expect((await page(30, 31 * DAY)).views).toEqual([]);
    expect((await page(30, 0, 2, 1)).views.map((view) => view.record.buildNo)).toEqual([1]);
    for (let buildNo = 1; buildNo <= 3; buildNo++) await stop(jobId, buildNo);
  });
});

describe('the GitLab side of a build', () => {
  it('keeps each task in a private project of the administrator, its steps as .gitlab-ci.yml', async () => {
    const jobId = await createTask(T1, shellTask('make all', { parameters: [{ name: 'hudson.model.StringParameterDefinition', params: [{ name: 'name', value: 'codeBranch' }, { name: 'defaultValue', value: 'master' }] }] }));
    const path = encodeURIComponent(`codearts-build/${jobId}`);
    const project = await http(server, 'GET', `/api/v4/projects/${path}`, { token: server.root });
    expect(project.body).toMatchObject({ path_with_namespace: `codearts-build/${jobId}`, visibility: 'private', name: 'demo-build', default_branch: 'main' });
    const file = await http(server, 'GET', `/api/v4/projects/${path}/repository/files/.gitlab-ci.yml/raw?ref=main`, { token: server.root });
    expect(file.text).toContain('make all');
    expect(file.text).toContain('codeBranch: master');
    const developer = await makeUser(server, `dev${Date.now()}`);
    expect((await http(server, 'GET', `/api/v4/projects/${path}`, { token: developer.token })).status).toBe(404);
  });

  it("hands the runner the step's command with the run's parameters and CodeArts's variables; a stop cancels the pipeline", async () => {
    const jobId = await createTask(T1, shellTask('echo "$codeBranch"'));
    const ran = await run(jobId, T1, { parameter: [{ name: 'codeBranch', value: 'release' }], scm: { build_tag: 'v1.0', build_commit_id: '0123456789abcdef' } });
    const job = (await requestJob(server, runner.token)).body;
    expect(job.steps[0].script).toEqual([`echo '[1/1] Execute Shell Command (devcloud2018.codeci_action_20017.action)'`, 'echo "$codeBranch"']);
    const variables = Object.fromEntries(job.variables.map((variable: { key: string; value: string }) => [variable.key, variable.value]));
    expect(variables).toMatchObject({ codeBranch: 'release', INCREASENUM: '1', BUILDNUMBER: ran.body.daily_build_number, JOB_NAME: 'demo-build', GIT_TAG: 'v1.0', COMMIT_ID_SHORTER: '01234567' });
    expect((await record(jobId, 1)).tag).toBe('v1.0');

    await stop(jobId, 1);
    const project = job.job_info.project_id;
    const pipeline = await http(server, 'GET', `/api/v4/projects/${project}/pipelines/${variables.CI_PIPELINE_ID}`, { token: server.root });
    expect(pipeline.body.status).toBe('canceled');
  });

  it('marks a build stopped under a gracefully canceling runner ABORTED at once; the runner ends it canceled', async () => {
    const jobId = await createTask();
    await run(jobId);
    const job = (await requestJob(server, runner.token, { info: { features: { cancel_gracefully: true } } })).body;
    expect((await stop(jobId, 1)).body).toEqual({ result: true });
    expect((await record(jobId, 1)).status).toBe('ABORTED');
    const trace = await http(server, 'PATCH', `/api/v4/jobs/${job.id}/trace`, { body: 'x', headers: { 'JOB-TOKEN': job.token, 'Content-Range': '0-0' } });
    expect(trace.headers.get('job-status')).toBe('canceling');
    expect((await finishJob(server, job.id, job.token, 'failed')).headers.get('job-status')).toBe('canceled');
    expect((await record(jobId, 1)).status).toBe('ABORTED');
  });

  it('reports a build its runner failed FAILURE with its duration, and the task idle', async () => {
    const jobId = await createTask();
    await run(jobId);
    const job = (await requestJob(server, runner.token)).body;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await finishJob(server, job.id, job.token, 'failed', { failure_reason: 'script_failure', exit_code: 2 });
    // Nothing was read since the runner finished: status finds out from GitLab.
    expect((await codearts(server, 'GET', `/v3/jobs/${jobId}/status`, T1)).body).toEqual({ result: false });
    const failed = await record(jobId, 1);
    expect(failed).toMatchObject({ status: 'FAILURE', build_no: 1 });
    expect(failed.duration).toBeGreaterThanOrEqual(20);
    expect(Date.parse(failed.finish_time) - Date.parse(failed.start_time)).toBe(failed.duration);
  });
});

describe('tokens', () => {
  const mint = (body: unknown, headers: Record<string, string> = {}) => http(server, 'POST', '/v3/auth/tokens', { json: body, headers });
  const scope = { project: { name: 'cn-north-4', domain: { name: 'acme' } } };

  it("mints with the bootstrap token in the body or as X-Auth-Token, answering in IAM's shape", async () => {
    const minted = await mint({ auth: { identity: { methods: ['token'], token: {} }, scope } }, { 'X-Auth-Token': server.root });
    expect(minted.status).toBe(201);
    expect(minted.headers.get('x-subject-token')).toMatch(/^MII/);
    expect(minted.body.token).toMatchObject({
      methods: ['token'],
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      project: { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'cn-north-4', domain: { name: 'acme' } },
      user: { name: 'admin' },
    });
    expect(Date.parse(minted.body.token.expires_at) - Date.parse(minted.body.token.issued_at)).toBe(86_400_000);
  });

  it("refuses anyone but the administrator, and bodies that are not IAM's", async () => {
    const body = (token: string) => ({ auth: { identity: { methods: ['token'], token: { id: token } }, scope } });
    expect((await mint(body('nope'))).body).toEqual({ error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } });
    expect((await mint(body(T1))).status).toBe(403);
    expect((await mint({ auth: { identity: { methods: ['password'], password: {} }, scope } })).status).toBe(400);
    expect((await mint({ auth: { identity: { methods: ['token'], token: { id: server.root, duration_seconds: 86_401 } }, scope } })).status).toBe(400);
    expect((await mint({ auth: { identity: { methods: ['token'], token: { id: server.root } }, scope: { project: {} } } })).status).toBe(400);
    expect((await http(server, 'POST', '/v3/auth/tokens', { body: 'not json' })).body.error.code).toBe(400);
  });

  it('lets the bootstrap token act on every task; its own tasks belong to no IAM project', async () => {
    const t1Task = await createTask();
    expect((await run(t1Task, server.root)).body.actual_build_number).toBe('1');
    expect((await record(t1Task, 1, server.root)).status).toBe('QUEUED');
    expect((await stop(t1Task, 1, server.root)).body).toEqual({ result: true });
    expect((await codearts(server, 'GET', `/v3/jobs/${t1Task}/history`, server.root)).body.total).toBe(1);

    const adminTask = await createTask(server.root);
    expect((await run(adminTask, T1)).status).toBe(404);
    const sameProjectOtherUser = (await mintToken(server, scope, { user: { name: 'someone-else' } })).token;
    expect((await run(t1Task, sameProjectOtherUser)).body.actual_build_number).toBe('2');
    expect((await record(t1Task, 2)).user_id).not.toBe((await record(t1Task, 1)).user_id);
    await stop(t1Task, 2);
  });
});

describe('validation', () => {
  it('refuses create bodies without the four required fields, well typed', async () => {
    const valid = shellTask('true');
    const broken = [
      { ...valid, arch: undefined },
      { ...valid, arch: 5 },
      { ...valid, project_id: '' },
      { ...valid, job_name: undefined },
      { ...valid, job_name: 'x'.repeat(116) },
      { ...valid, steps: undefined },
      { ...valid, steps: {} },
      { ...valid, steps: [{ name: 'no module' }] },
      { ...valid, steps: [{ module_id: 'm', name: 7 }] },
      { ...valid, steps: ['text'] },
      { ...valid, steps: [] },
    ];
    for (const body of broken) {
      const response = await codearts(server, 'POST', '/v3/jobs/create', T1, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error_code).toBe('CB.00060200');
    }
    expect((await codearts(server, 'POST', '/v3/jobs/create', T1, '{')).body.error_code).toBe('CB.00060200');
    expect((await codearts(server, 'POST', '/v3/jobs/create', T1, JSON.stringify({ ...valid, blob: 'x'.repeat(300 * 1024) }))).body.error_code).toBe('CB.00060200');
    expect((await codearts(server, 'POST', '/v3/jobs/create', T1, { ...valid, extra: { kept: true } })).status).toBe(200);
    // Whatever else a client sends is kept as sent, JSON the table could not hold as attributes included.
    const odd = `{"arch":"x86-64","project_id":"p","job_name":"j","steps":[{"module_id":"m","name":"n","properties":{"big":1e400}}],"deep":${'['.repeat(60)}${']'.repeat(60)}}`;
    const created = await codearts(server, 'POST', '/v3/jobs/create', T1, odd);
    expect(created.status, created.text).toBe(200);
    expect((await run(created.body.result.job_id)).body.actual_build_number).toBe('1');
    await stop(created.body.result.job_id, 1);
  });

  it('refuses run bodies with a bad job_id first, then bad parameters', async () => {
    const jobId = await createTask();
    const cases: [Record<string, unknown>, string][] = [
      [{ job_id: 'X', parameter: 'bad' }, 'CB.00060201'],
      [{ parameter: [] }, 'CB.00060201'],
      [{ job_id: jobId, parameter: [{ name: 'a' }] }, 'CB.00060200'],
      [{ job_id: jobId, parameter: [{ value: 'a' }] }, 'CB.00060200'],
      [{ job_id: jobId, parameter: [{ name: 'a b', value: 'x' }] }, 'CB.00060200'],
      [{ job_id: jobId, parameter: { name: 'a', value: 'b' } }, 'CB.00060200'],
      [{ job_id: jobId, scm: 'v1' }, 'CB.00060200'],
    ];
    for (const [body, code] of cases) {
      const response = await codearts(server, 'POST', '/v3/jobs/build', T1, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error_code).toBe(code);
    }
    expect((await codearts(server, 'GET', `/v3/jobs/${jobId}/status`, T1)).body).toEqual({ result: false });
  });

  it('checks record-info path parameters like the stop body', async () => {
    const jobId = await createTask();
    expect((await codearts(server, 'GET', `/v3/jobs/${jobId.toUpperCase()}/1/record-info`, T1)).body.error_code).toBe('CB.00060201');
    for (const buildNo of ['0', 'abc', '2147483648']) {
      expect((await codearts(server, 'GET', `/v3/jobs/${jobId}/${buildNo}/record-info`, T1)).body.error_code).toBe('CB.00060200');
    }
    expect((await codearts(server, 'GET', `/v3/jobs/${jobId}/1/record-info`, T1)).status).toBe(404);
  });
});
