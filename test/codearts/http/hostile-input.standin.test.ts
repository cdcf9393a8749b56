import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startGitLab, type GitLabServer } from '../../support/gitlab';
import { codearts, mintToken, shellTask } from '../support';

/**
 * What a careless or hostile client sends to `/v3`: tasks without steps, build numbers in a
 * non-canonical spelling, definitions nested past any use, IAM requests with two scopes. Each is
 * answered with the error of the service it addresses (CodeArts's CB codes, IAM's Keystone body),
 * and changes nothing.
 */
let server: GitLabServer;
let token: string;
let jobId: string;

const INVALID_PARAMETER = { error_code: 'CB.00060200', error_msg: 'Invalid parameter.' };

beforeAll(async () => {
  server = await startGitLab();
  token = (await mintToken(server, { project: { name: 'cn-north-4', domain: { name: 'acme' } } })).token;
  jobId = (await codearts(server, 'POST', '/v3/jobs/create', token, shellTask('sleep 600'))).body.result.job_id;
  expect((await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId })).body.actual_build_number).toBe('1');
});
afterAll(async () => server.stop());

describe('tasks', () => {
  it('refuses text that is not UTF-8 (a lone surrogate), keys included', async () => {
    for (const body of [{ ...shellTask('x'), job_name: 'a\ud800' }, { ...shellTask('x'), ['k\udc00']: 1 }]) {
      const created = await codearts(server, 'POST', '/v3/jobs/create', token, body);
      expect(created.status).toBe(400);
      expect(created.body).toMatchObject(INVALID_PARAMETER);
    }
    expect((await codearts(server, 'POST', '/v3/jobs/create', token, { ...shellTask('echo 😀'), job_name: '构建 😀' })).status).toBe(200);
  });

  it('refuses a task without steps', async () => {
    const created = await codearts(server, 'POST', '/v3/jobs/create', token, { ...shellTask('x'), steps: [] });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject(INVALID_PARAMETER);
  });

  it('refuses step properties nested deeper than 100 levels, however deep', async () => {
    for (const depth of [101, 10_000]) {
      const body = JSON.stringify(shellTask('x')).replace('{"command":"x"}', `{"command":"x","deep":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
      const created = await codearts(server, 'POST', '/v3/jobs/create', token, body);
      expect(created.status).toBe(400);
      expect(created.body).toMatchObject(INVALID_PARAMETER);
    }
    const body = JSON.stringify(shellTask('x')).replace('{"command":"x"}', `{"command":"x","deep":${'{"a":'.repeat(95)}1${'}'.repeat(95)}}`);
    expect((await codearts(server, 'POST', '/v3/jobs/create', token, body)).status).toBe(200);
  });
});

describe('task size', () => {
  it('refuses steps whose CI script the engine could not store, when the task is created', async () => {
    const steps = Array.from({ length: 40 }, (_, i) => ({ module_id: 'devcloud2018.codeci_action_20017.action', name: `s${i}`, properties: { command: `echo '${'y'.repeat(6000)}'` } }));
    const created = await codearts(server, 'POST', '/v3/jobs/create', token, { ...shellTask('x'), steps });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject(INVALID_PARAMETER);
  });
});

describe('runs', () => {
  it('bounds the parameters a run stores with its pipeline', async () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ name: `P${i}`, value: 'v'.repeat(1000) }));
    for (const parameter of [many, [{ name: 'P', value: 'v'.repeat(10_001) }]]) {
      const run = await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId, parameter });
      expect(run.status).toBe(400);
      expect(run.body).toMatchObject(INVALID_PARAMETER);
    }
    const scm = await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId, scm: { build_tag: 't'.repeat(256) } });
    expect(scm.body).toMatchObject(INVALID_PARAMETER);
  });
});

describe('build numbers', () => {
  it.each(['01', '001', '0001'])('refuses %j on stop and read, and the build keeps running', async (buildNo) => {
    const stopped = await codearts(server, 'POST', '/v3/jobs/stop', token, { job_id: jobId, build_no: buildNo });
    expect(stopped.status).toBe(400);
    expect(stopped.body).toMatchObject(INVALID_PARAMETER);
    expect((await codearts(server, 'GET', `/v3/jobs/${jobId}/${buildNo}/record-info`, token)).body).toMatchObject(INVALID_PARAMETER);
    expect((await codearts(server, 'GET', `/v3/jobs/${jobId}/1/record-info`, token)).body.result.status).toMatch(/^(QUEUED|RUNNING)$/);
  });

  it('still stops build "1"', async () => {
    expect((await codearts(server, 'POST', '/v3/jobs/stop', token, { job_id: jobId, build_no: '1' })).body).toEqual({ result: true });
  });
});

describe('IAM tokens', () => {
  it('refuses a request scoped to a project and a domain at once, as Keystone does', async () => {
    const response = await http(server, 'POST', '/v3/auth/tokens', {
      json: { auth: { identity: { methods: ['token'], token: { id: server.root } }, scope: { project: { name: 'cn-north-4', domain: { name: 'acme' } }, domain: { name: 'acme' } } } },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-subject-token')).toBeNull();
    expect(response.body).toEqual({
      error: {
        code: 400,
        title: 'Bad Request',
        message:
          'Expecting to find project, domain, OS-TRUST:trust or unscoped in scope. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.',
      },
    });
  });
});
