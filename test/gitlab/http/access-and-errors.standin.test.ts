import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishJob, http, makeRunner, makeUser, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/** Roles, tokens and the exact error bodies GitLab answers with. */
let server: GitLabServer;
let projectId: number;
let otherProjectId: number;
const users: Record<string, { id: number; token: string }> = {};
let jobs: Record<string, number> = {};
let bridgeId: number;
let testJob: { id: number; token: string };

const CI = `
build: { stage: build, script: x }
test: { stage: test, script: x }
manual: { stage: test, script: x, when: manual }
child:
  stage: deploy
  trigger: { include: child.yml, strategy: depend }
`;

beforeAll(async () => {
  server = await startGitLab();
  const project = await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'secret', public_builds: false } });
  projectId = project.body.id;
  for (const path of ['.gitlab-ci.yml', 'child.yml']) {
    await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/${encodeURIComponent(path)}`, {
      token: server.root,
      json: { branch: 'main', content: path === 'child.yml' ? 'child-job: { script: x }' : CI, commit_message: `add ${path} [skip ci]` },
    });
  }
  otherProjectId = (await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'other' } })).body.id;
  for (const [role, level] of [['guest', 10], ['reporter', 20], ['developer', 30], ['maintainer', 40], ['outsider', 0]] as const) {
    users[role] = await makeUser(server, role);
    if (level > 0) {
      const member = await http(server, 'POST', `/api/v4/projects/${projectId}/members`, { token: server.root, json: { user_id: users[role].id, access_level: level } });
      expect(member.status).toBe(201);
    }
  }
  users.reader = await makeUser(server, 'reader', ['read_api']);
  await http(server, 'POST', `/api/v4/projects/${projectId}/members`, { token: server.root, json: { user_id: users.reader.id, access_level: 40 } });
  const pipeline = await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref: 'main' } });
  expect(pipeline.status).toBe(201);
  // The build runs, logs a line and passes: the test stage starts.
  const runner = await makeRunner(server);
  const running = (await requestJob(server, runner.token)).body;
  await http(server, 'PATCH', `/api/v4/jobs/${running.id}/trace`, { body: 'built\n', headers: { 'JOB-TOKEN': running.token, 'Content-Range': '0-5' } });
  await finishJob(server, running.id, running.token, 'success');
  const list = await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipeline.body.id}/jobs`, { token: server.root });
  jobs = Object.fromEntries(list.body.map((job: { name: string; id: number }) => [job.name, job.id]));
  bridgeId = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipeline.body.id}/bridges`, { token: server.root })).body[0].id;
});
afterAll(async () => server.stop());

const jobsPath = () => `/api/v4/projects/${projectId}/jobs`;

describe('authentication', () => {
  it('needs a valid token: 401 {"message":"401 Unauthorized"}', async () => {
    for (const token of [undefined, 'glpat-unknown']) {
      const response = await http(server, 'GET', jobsPath(), { token });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ message: '401 Unauthorized' });
    }
  });

  it('accepts PRIVATE-TOKEN, Authorization: Bearer and ?private_token=', async () => {
    const token = users.maintainer.token;
    expect((await http(server, 'GET', jobsPath(), { token })).status).toBe(200);
    expect((await http(server, 'GET', jobsPath(), { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await http(server, 'GET', `${jobsPath()}?private_token=${token}`)).status).toBe(200);
  });

  it('tells revoked and expired tokens apart', async () => {
    const user = users.developer;
    const created = await http(server, 'POST', `/api/v4/users/${user.id}/personal_access_tokens`, { token: server.root, json: { name: 'gone', scopes: ['api'] } });
    expect(created.body).toMatchObject({ name: 'gone', scopes: ['api'], active: true, revoked: false, user_id: user.id, token: expect.stringMatching(/^glpat-/) });
    expect((await http(server, 'DELETE', `/api/v4/personal_access_tokens/${created.body.id}`, { token: created.body.token })).status).toBe(204);
    expect((await http(server, 'GET', jobsPath(), { token: created.body.token })).body).toEqual({
      error: 'invalid_token',
      error_description: 'Token was revoked. You have to re-authorize from the user.',
    });
    // A token may be created to expire today (not earlier): it expires at midnight UTC, already past.
    const today = new Date().toISOString().slice(0, 10);
    const expired = await http(server, 'POST', `/api/v4/users/${user.id}/personal_access_tokens`, { token: server.root, json: { name: 'old', scopes: ['api'], expires_at: today } });
    expect((await http(server, 'GET', jobsPath(), { token: expired.body.token })).body).toEqual({
      error: 'invalid_token',
      error_description: 'Token is expired. You can either do re-authorization or token refresh.',
    });
  });

  it('limits read_api tokens to reads', async () => {
    expect((await http(server, 'GET', jobsPath(), { token: users.reader.token })).status).toBe(200);
    const write = await http(server, 'POST', `${jobsPath()}/${jobs.build}/cancel`, { token: users.reader.token });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ error: 'insufficient_scope', scope: 'api read_api' });
  });

  it('only lets administrators create users and tokens', async () => {
    const response = await http(server, 'POST', '/api/v4/users', { token: users.maintainer.token, json: { username: 'x', name: 'x', email: 'x@example.com' } });
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ message: '403 Forbidden' });
    const me = await http(server, 'GET', '/api/v4/user', { token: users.maintainer.token });
    expect(me.body).toMatchObject({ username: 'maintainer', is_admin: false });
    expect((await http(server, 'GET', '/api/v4/user', { token: server.root })).body).toMatchObject({ id: 1, username: 'root', is_admin: true });
  });
});

describe('roles', () => {
  it('hides a private project from non-members: 404 Project Not Found', async () => {
    const response = await http(server, 'GET', jobsPath(), { token: users.outsider.token });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: '404 Project Not Found' });
  });

  it('needs reporter to read jobs when public pipelines are off', async () => {
    expect((await http(server, 'GET', jobsPath(), { token: users.guest.token })).body).toEqual({ message: '403 Forbidden' });
    expect((await http(server, 'GET', jobsPath(), { token: users.reporter.token })).status).toBe(200);
    expect((await http(server, 'GET', `${jobsPath()}/${jobs.build}/trace`, { token: users.reporter.token })).status).toBe(200);
  });

  it('needs developer to cancel, retry and play', async () => {
    for (const action of ['cancel', 'retry', 'play']) {
      const response = await http(server, 'POST', `${jobsPath()}/${jobs.manual}/${action}`, { token: users.reporter.token });
      expect(response.status, action).toBe(403);
      expect(response.body).toEqual({ message: '403 Forbidden' });
    }
    const played = await http(server, 'POST', `${jobsPath()}/${jobs.manual}/play`, { token: users.developer.token });
    expect(played.status).toBe(200);
    expect(played.body).toMatchObject({ status: 'pending', user: { username: 'developer' } });
  });

  it('lets only maintainers (or the developer who ran the job) erase, and only maintainers delete artifacts or force-cancel', async () => {
    expect((await http(server, 'POST', `${jobsPath()}/${jobs.build}/erase`, { token: users.developer.token })).body).toEqual({ message: '403 Forbidden' });
    expect((await http(server, 'DELETE', `${jobsPath()}/${jobs.build}/artifacts`, { token: users.developer.token })).status).toBe(403);
    expect((await http(server, 'POST', `${jobsPath()}/${jobs.test}/cancel?force=true`, { token: users.developer.token })).status).toBe(403);
    expect((await http(server, 'POST', `${jobsPath()}/${jobs.build}/erase`, { token: users.maintainer.token })).status).toBe(201);
    expect((await http(server, 'DELETE', `${jobsPath()}/${jobs.build}/artifacts`, { token: users.maintainer.token })).status).toBe(204);
  });
});

describe('job tokens', () => {
  let job: { id: number; token: string };
  beforeAll(async () => {
    const runner = await makeRunner(server);
    job = (await requestJob(server, runner.token)).body;
    expect(job.id).toBe(jobs.test);
    testJob = job;
  });

  it('GET /job answers the running job for JOB-TOKEN, ?job_token= and Bearer', async () => {
    for (const options of [{ jobToken: job.token }, { headers: { Authorization: `Bearer ${job.token}` } }]) {
      const response = await http(server, 'GET', '/api/v4/job', options);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: job.id, status: 'running', name: 'test' });
    }
    expect((await http(server, 'GET', `/api/v4/job?job_token=${job.token}`)).status).toBe(200);
    const personal = await http(server, 'GET', '/api/v4/job', { token: users.maintainer.token });
    expect(personal.status).toBe(404);
    expect(personal.body).toEqual({ message: '404 Job Not Found' });
    expect((await http(server, 'GET', '/api/v4/job')).status).toBe(401);
  });

  it('GET /job/allowed_agents answers GitLab 17’s shape: ids, the project’s groups and the roles of the job’s user', async () => {
    const pipelineId = (await http(server, 'GET', '/api/v4/job', { jobToken: job.token })).body.pipeline.id;
    expect(pipelineId).toEqual(expect.any(Number));
    const response = await http(server, 'GET', '/api/v4/job/allowed_agents', { jobToken: job.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      allowed_agents: [],
      job: { id: job.id },
      pipeline: { id: pipelineId },
      project: { id: projectId, groups: [] },
      user: { id: 1, username: 'root', roles_in_project: ['guest', 'reporter', 'developer', 'maintainer', 'owner'] },
    });
    const personal = await http(server, 'GET', '/api/v4/job/allowed_agents', { token: users.maintainer.token });
    expect([personal.status, personal.body]).toEqual([404, { message: '404 Job Not Found' }]);
  });

  it('reaches its own project’s jobs, not other projects or other endpoints', async () => {
    expect((await http(server, 'GET', jobsPath(), { jobToken: job.token })).status).toBe(200);
    expect((await http(server, 'GET', `/api/v4/projects/${otherProjectId}/jobs`, { jobToken: job.token })).body).toEqual({ message: '404 Project Not Found' });
    expect((await http(server, 'GET', `${jobsPath()}/${job.id}`, { jobToken: job.token })).status).toBe(401);
  });
});

describe('error bodies', () => {
  it('answers lookups GitLab’s way', async () => {
    expect((await http(server, 'GET', `${jobsPath()}/999999`, { token: server.root })).body).toEqual({ message: '404 Not found' });
    expect((await http(server, 'GET', `${jobsPath()}/abc`, { token: server.root })).body).toEqual({ error: 'job_id is invalid' });
    expect((await http(server, 'GET', `${jobsPath()}/${bridgeId}`, { token: server.root })).body).toEqual({ message: '404 Not found' });
    expect((await http(server, 'GET', `/api/v4/projects/${otherProjectId}/jobs/${jobs.build}`, { token: server.root })).status).toBe(404);
    expect((await http(server, 'GET', '/api/v4/projects/424242/jobs', { token: server.root })).body).toEqual({ message: '404 Project Not Found' });
    expect((await http(server, 'GET', `/api/v4/projects/root%2Fsecret/jobs/${jobs.build}`, { token: server.root })).body.id).toBe(jobs.build);
  });

  it('validates scope and paging', async () => {
    for (const query of ['scope=bogus', 'scope[]=pending&scope[]=bogus', 'scope=pending,running']) {
      const response = await http(server, 'GET', `${jobsPath()}?${query}`, { token: server.root });
      expect(response.status, query).toBe(400);
      expect(response.body).toEqual({ error: 'scope does not have a valid value' });
    }
    expect((await http(server, 'GET', `${jobsPath()}?per_page=0`, { token: server.root })).body).toEqual({ error: 'per_page has a value not allowed' });
    expect((await http(server, 'GET', `${jobsPath()}?page=-1`, { token: server.root })).body).toEqual({ error: 'page does not have a valid value' });
    expect((await http(server, 'GET', `${jobsPath()}?per_page=500`, { token: server.root })).headers.get('x-per-page')).toBe('100');
  });

  it('refuses actions a job’s state does not allow', async () => {
    const retry = await http(server, 'POST', `${jobsPath()}/${jobs.test}/retry`, { token: server.root });
    expect(retry.status).toBe(403);
    expect(retry.body).toEqual({ message: '403 Forbidden - Job is not retryable' });
    const play = await http(server, 'POST', `${jobsPath()}/${jobs.test}/play`, { token: server.root });
    expect(play.status).toBe(400);
    expect(play.body).toEqual({ message: '400 Bad request - Unplayable Job' });
    const erase = await http(server, 'POST', `${jobsPath()}/${jobs.test}/erase`, { token: server.root });
    expect(erase.body).toEqual({ message: '403 Forbidden - Job is not erasable!' });
    expect((await http(server, 'POST', `${jobsPath()}/${jobs.test}/artifacts/keep`, { token: server.root })).body).toEqual({ message: '404 Not Found' });
    const variables = await http(server, 'POST', `${jobsPath()}/${jobs.manual}/play`, { token: server.root, json: { job_variables_attributes: [{ key: 'A' }] } });
    expect(variables.body).toEqual({ error: 'job_variables_attributes[0][value] is missing' });
  });

  it('cancels a finished job as a no-op with 201', async () => {
    const response = await http(server, 'POST', `${jobsPath()}/${jobs.build}/cancel`, { token: server.root });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('success');
  });

  it('answers unknown routes 404 and wrong methods 405 as Grape does', async () => {
    expect((await http(server, 'GET', '/api/v4/nothing/here', { token: server.root })).body).toEqual({ error: '404 Not Found' });
    const wrong = await http(server, 'DELETE', `${jobsPath()}/${jobs.build}/cancel`, { token: server.root });
    expect(wrong.status).toBe(405);
    expect(wrong.body).toEqual({ error: '405 Not Allowed' });
  });

  it('rejects pipelines GitLab would not create, and creates none', async () => {
    const before = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines`, { token: server.root })).body.length;
    expect((await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: {} })).body).toEqual({ error: 'ref is missing' });
    expect((await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref: 'nope' } })).body).toEqual({ message: { base: ['Reference not found'] } });
    await http(server, 'PUT', `/api/v4/projects/${projectId}/repository/files/.gitlab-ci.yml`, {
      token: server.root,
      json: { branch: 'broken', start_branch: 'main', content: 'job: { script: x, stage: nowhere }', commit_message: 'break [skip ci]' },
    });
    const broken = await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref: 'broken' } });
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ message: { base: ['job job: chosen stage nowhere does not exist; available stages are .pre, build, test, deploy, .post'] } });
    const empty = await http(server, 'POST', `/api/v4/projects/${otherProjectId}/pipeline`, { token: server.root, json: { ref: 'main' } });
    expect(empty.body).toEqual({ message: { base: ['Reference not found'] } });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines`, { token: server.root })).body.length).toBe(before);
  });
});

describe('bridges', () => {
  it('creates the child pipeline once its stage starts, and mirrors its status with strategy: depend', async () => {
    const pipelineId = (await http(server, 'GET', `${jobsPath()}/${jobs.build}`, { token: server.root })).body.pipeline.id;
    const bridgesPath = `/api/v4/projects/${projectId}/pipelines/${pipelineId}/bridges`;
    expect((await http(server, 'GET', bridgesPath, { token: server.root })).body[0]).toMatchObject({ id: bridgeId, status: 'created', downstream_pipeline: null });
    // The played manual job and the test job pass; the deploy stage starts the bridge.
    const runner = await makeRunner(server);
    const manual = (await requestJob(server, runner.token)).body;
    await finishJob(server, manual.id, manual.token, 'success');
    await finishJob(server, testJob.id, testJob.token, 'success');

    const bridges = await http(server, 'GET', bridgesPath, { token: server.root });
    expect(bridges.headers.get('x-total')).toBe('1');
    const [bridge] = bridges.body;
    expect(bridge).toMatchObject({ id: bridgeId, name: 'child', status: 'running' });
    expect(bridge).not.toHaveProperty('artifacts');
    expect(bridge.downstream_pipeline).toMatchObject({ project_id: projectId, status: 'pending', source: 'parent_pipeline' });
    const childJobs = await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${bridge.downstream_pipeline.id}/jobs`, { token: server.root });
    expect(childJobs.body.map((job: { name: string }) => job.name)).toEqual(['child-job']);
    const taken = await requestJob(server, runner.token);
    expect(taken.body.job_info.name).toBe('child-job');
    await finishJob(server, taken.body.id, taken.body.token, 'success');
    const after = await http(server, 'GET', bridgesPath, { token: server.root });
    expect(after.body[0]).toMatchObject({ status: 'success', downstream_pipeline: { status: 'success' } });
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}`, { token: server.root })).body.status).toBe('success');
  });
});
