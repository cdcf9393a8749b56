import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, makeRunner, requestJob, startGitLab, type GitLabServer } from '../support/gitlab';
import { DocumentedAnswers } from '../support/openapi';
import { codearts, mintToken, shellTask } from '../codearts/support';

/**
 * Every operation of `/openapi/codearts.json`, called on a live stack, answers as documented:
 * successes and the errors a client meets (bad input, no token, a domain token, unknown task).
 */
let server: GitLabServer;
let answers: DocumentedAnswers;
let token: string;
let domainToken: string;

beforeAll(async () => {
  server = await startGitLab();
  const document = await http(server, 'GET', '/openapi/codearts.json');
  expect(document.status).toBe(200);
  answers = new DocumentedAnswers(document.body);
  await makeRunner(server);
  token = (await mintToken(server, { project: { name: 'cn-north-4', domain: { name: 'acme' } } }, { user: { name: 'dev' } })).token;
  domainToken = (await mintToken(server, { domain: { name: 'acme' } })).token;
});
afterAll(async () => server.stop());

const call = (method: string, template: string, path: string, auth: string | undefined, body?: unknown) =>
  codearts(server, method, path, auth, body).then((response) => answers.check(method, template, response));

describe('the CodeArts document against live answers', () => {
  it('documents every answer of the task API and IAM', async () => {
    const mint = await http(server, 'POST', '/v3/auth/tokens', {
      json: { auth: { identity: { methods: ['token'], token: { id: server.root } }, scope: { project: { name: 'cn-north-4', domain: { name: 'acme' } } } } },
    });
    expect(answers.check('POST', '/v3/auth/tokens', mint).status).toBe(201);
    const refused = await http(server, 'POST', '/v3/auth/tokens', { json: { auth: { identity: { methods: ['token'], token: { id: 'nope' } }, scope: { domain: { name: 'acme' } } } } });
    expect(answers.check('POST', '/v3/auth/tokens', refused).status).toBe(401);
    expect(answers.check('POST', '/v3/auth/tokens', await http(server, 'POST', '/v3/auth/tokens', { json: { auth: {} } })).status).toBe(400);

    const created = await call('POST', '/v3/jobs/create', '/v3/jobs/create', token, shellTask('echo hi; sleep 600'));
    expect(created.status).toBe(200);
    const jobId: string = created.body.result.job_id;
    expect((await call('POST', '/v3/jobs/create', '/v3/jobs/create', token, { arch: 'x86-64' })).status).toBe(400);
    expect((await call('POST', '/v3/jobs/create', '/v3/jobs/create', undefined, shellTask('true'))).status).toBe(401);
    expect((await call('POST', '/v3/jobs/create', '/v3/jobs/create', domainToken, shellTask('true'))).status).toBe(403);

    expect((await call('POST', '/v3/jobs/build', '/v3/jobs/build', token, { job_id: jobId })).status).toBe(200);
    expect((await call('POST', '/v3/jobs/build', '/v3/jobs/build', token, { job_id: 'f'.repeat(32) })).status).toBe(404);
    expect((await call('GET', '/v3/jobs/{job_id}/status', `/v3/jobs/${jobId}/status`, token)).body).toEqual({ result: true });
    expect((await call('GET', '/v3/jobs/{job_id}/status', '/v3/jobs/NOT-AN-ID/status', token)).status).toBe(400);

    // The runner takes the build: it has a start time.
    const runner = await makeRunner(server);
    expect((await requestJob(server, runner.token)).status).toBe(201);
    const info = await call('GET', '/v3/jobs/{job_id}/{build_no}/record-info', `/v3/jobs/${jobId}/1/record-info`, token);
    expect(info.body.result.status).toBe('RUNNING');
    expect((await call('GET', '/v3/jobs/{job_id}/{build_no}/record-info', `/v3/jobs/${jobId}/9/record-info`, token)).status).toBe(404);
    const history = await call('GET', '/v3/jobs/{job_id}/history', `/v3/jobs/${jobId}/history?limit=5`, token);
    expect(history.body.total).toBe(1);
    expect((await call('GET', '/v3/jobs/{job_id}/history', `/v3/jobs/${jobId}/history?limit=500`, token)).status).toBe(400);

    expect((await call('POST', '/v3/jobs/stop', '/v3/jobs/stop', token, { job_id: jobId, build_no: '1' })).body).toEqual({ result: true });
    expect((await call('POST', '/v3/jobs/stop', '/v3/jobs/stop', token, { job_id: jobId, build_no: '01' })).status).toBe(400);
    const stopped = await call('GET', '/v3/jobs/{job_id}/{build_no}/record-info', `/v3/jobs/${jobId}/1/record-info`, token);
    expect(stopped.body.result.status).toBe('ABORTED');
    expect((await call('GET', '/v3/jobs/{job_id}/history', `/v3/jobs/${jobId}/history`, token)).body.history_records[0].result).toBe('ABORTED');

    expect((await call('POST', '/v3/jobs/{job_id}/delete', `/v3/jobs/${jobId}/delete`, token)).status).toBe(200);
    expect((await call('POST', '/v3/jobs/{job_id}/delete', `/v3/jobs/${jobId}/delete`, token)).status).toBe(404);

    expect(answers.unexercised()).toEqual([]);
  });
});
