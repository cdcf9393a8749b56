import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utcDay } from '../../../shared/codearts/pipeline/run-variables';
import { finishJob, http, makeRunner, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';
import { codearts, mintToken, shellTask } from '../support';

/**
 * The reference's acceptance cases 1–20 (codearts.md §5), over HTTP, with the GitLab runner
 * protocol played by hand so that a build can be held RUNNING, stopped, and its runner told.
 */
let server: GitLabServer;
let runner: { id: number; token: string };
let T1: string;
let T2: string;
let TD: string;
let TX: string;
let jobId: string;
/** The runner's view of each build it took: GitLab job id and job token, by build_no. */
const taken = new Map<number, { id: number; token: string; variables: { key: string; value: string }[]; steps: { script: string[] }[] }>();

const REQUEST_ID = /^[0-9a-f]{32}$/;
const notFoundTask = { error_code: 'CB.00060201', error_msg: 'The build task does not exist.', request_id: expect.stringMatching(REQUEST_ID) };

/** `null`: no X-Auth-Token at all. */
const stop = (body: unknown, token: string | null = T1) => codearts(server, 'POST', '/v3/jobs/stop', token ?? undefined, body);
const recordInfo = (buildNo: number | string, token: string | undefined = T1, id = jobId) => codearts(server, 'GET', `/v3/jobs/${id}/${buildNo}/record-info`, token);
const run = (id = jobId, token = T1, body: Record<string, unknown> = {}) => codearts(server, 'POST', '/v3/jobs/build', token, { job_id: id, ...body });

async function take(buildNo: number) {
  const response = await requestJob(server, runner.token);
  expect(response.status, response.text).toBe(201);
  taken.set(buildNo, response.body);
  return response.body as { id: number; token: string; variables: { key: string; value: string }[] };
}

function patchTrace(buildNo: number, text: string, offset = 0) {
  const job = taken.get(buildNo)!;
  return http(server, 'PATCH', `/api/v4/jobs/${job.id}/trace`, { body: text, headers: { 'JOB-TOKEN': job.token, 'Content-Range': `${offset}-${offset + text.length - 1}` } });
}

beforeAll(async () => {
  server = await startGitLab();
  runner = await makeRunner(server);
  const region = { name: 'cn-north-4', domain: { name: 'acme' } };
  T1 = (await mintToken(server, { project: region }, { user: { name: 'dev' } })).token;
  T2 = (await mintToken(server, { project: { name: 'ap-southeast-3', domain: { name: 'acme' } } })).token;
  TD = (await mintToken(server, { domain: { name: 'acme' } })).token;
  TX = (await mintToken(server, { project: region }, { durationSeconds: 1 })).token;
});
afterAll(async () => server.stop());

describe('CodeArts acceptance cases', () => {
  it('1. creates a task: 200, status success, a 32-character lowercase hex job_id', async () => {
    const created = await codearts(server, 'POST', '/v3/jobs/create', T1, shellTask('echo "build $INCREASENUM of $JOB_NAME"; sleep 600'));
    expect(created.status, created.text).toBe(200);
    expect(created.body).toEqual({ result: { job_id: expect.stringMatching(/^[0-9a-f]{32}$/) }, error: null, status: 'success' });
    expect(created.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(created.headers.get('x-request-id')).toMatch(REQUEST_ID);
    jobId = created.body.result.job_id;
  });

  it('2. runs twice: actual_build_number "1" then "2", daily numbers YYYYMMDD.N', async () => {
    const startedOn = utcDay(Date.now());
    const first = await run();
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual({ octopus_job_name: expect.stringMatching(/^j_[A-Za-z0-9]{8}$/), actual_build_number: '1', daily_build_number: expect.stringMatching(/^\d{8}\.\d+$/) });
    const second = await run();
    expect(second.body).toMatchObject({ actual_build_number: '2', daily_build_number: expect.stringMatching(/^\d{8}\.\d+$/) });
    const endedOn = utcDay(Date.now());
    // A task's first build of a UTC day is N = 1; the next one on the same day is 2, or 1 again on the next day.
    const [day1, n1] = first.body.daily_build_number.split('.');
    const [day2, n2] = second.body.daily_build_number.split('.');
    expect([startedOn, endedOn]).toContain(day1);
    expect([startedOn, endedOn]).toContain(day2);
    expect(n1).toBe('1');
    expect(n2).toBe(day1 === day2 ? '2' : '1');
    expect((await recordInfo(2)).body.result).toMatchObject({ build_no: 2, status: 'QUEUED', start_time: null, finish_time: null, duration: 0 });
  });

  it('3. stops a RUNNING build: {"result":true}, ABORTED with finish_time, the runner told canceled', async () => {
    const job = await take(1);
    expect(job.variables).toEqual(expect.arrayContaining([{ key: 'INCREASENUM', value: '1', public: false, masked: false }, expect.objectContaining({ key: 'BUILDNUMBER' })]));
    expect((await patchTrace(1, 'building\n')).status).toBe(202);
    const running = await recordInfo(1);
    expect(running.body).toMatchObject({ success: true, result: { status: 'RUNNING', build_no: 1, codeci_job_id: jobId, start_time: expect.any(String), finish_time: null } });

    const stopped = await stop({ job_id: jobId, build_no: '1' });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toEqual({ result: true });
    expect(stopped.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const record = (await recordInfo(1)).body.result;
    expect(record).toMatchObject({ status: 'ABORTED', start_time: running.body.result.start_time, finish_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/) });
    expect(record.duration).toBeGreaterThanOrEqual(0);

    // The runner learns it at its next call: the log append and the final update both say canceled.
    const trace = await patchTrace(1, 'more\n', 9);
    expect(trace.status).toBe(403);
    expect(trace.headers.get('job-status')).toBe('canceled');
    const done = await finishJob(server, taken.get(1)!.id, taken.get(1)!.token, 'success');
    expect(done.status).toBe(403);
    expect(done.headers.get('job-status')).toBe('canceled');
    expect((await recordInfo(1)).body.result.status).toBe('ABORTED');
  });

  it('4. stops a QUEUED build: true, ABORTED, start_time null, and no runner ever gets it', async () => {
    expect((await stop({ job_id: jobId, build_no: '2' })).body).toEqual({ result: true });
    expect((await recordInfo(2)).body.result).toMatchObject({ status: 'ABORTED', start_time: null, finish_time: expect.any(String), duration: 0 });
    expect((await requestJob(server, runner.token)).status).toBe(204);
  });

  it('5. repeats the stop of case 3: true again, the record unchanged', async () => {
    const before = (await recordInfo(1)).body;
    expect((await stop({ job_id: jobId, build_no: '1' })).body).toEqual({ result: true });
    expect((await recordInfo(1)).body).toEqual(before);
  });

  it('6. stops builds that ended SUCCESS or FAILURE: false, status unchanged', async () => {
    expect((await run()).body.actual_build_number).toBe('3');
    await take(3);
    expect((await finishJob(server, taken.get(3)!.id, taken.get(3)!.token, 'success')).status).toBe(200);
    expect((await recordInfo(3)).body.result).toMatchObject({ status: 'SUCCESS', finish_time: expect.any(String) });
    expect((await stop({ job_id: jobId, build_no: '3' })).body).toEqual({ result: false });
    expect((await recordInfo(3)).body.result.status).toBe('SUCCESS');

    expect((await run()).body.actual_build_number).toBe('4');
    await take(4);
    await finishJob(server, taken.get(4)!.id, taken.get(4)!.token, 'failed', { failure_reason: 'script_failure', exit_code: 1 });
    expect((await stop({ job_id: jobId, build_no: '4' })).body).toEqual({ result: false });
    expect((await recordInfo(4)).body.result.status).toBe('FAILURE');
  });

  it('7. takes build_no as a JSON integer with the same outcome as the string', async () => {
    expect((await stop({ job_id: jobId, build_no: 2 })).body).toEqual({ result: true });
    expect((await stop({ job_id: jobId, build_no: 3 })).body).toEqual({ result: false });
    expect((await stop({ job_id: jobId, build_no: 2.0 })).body).toEqual({ result: true });
  });

  it('8. refuses bad build numbers with 400 CB.00060200, changing nothing', async () => {
    expect((await run()).body.actual_build_number).toBe('5');
    await take(5);
    for (const buildNo of ['0', '-1', '1.5', 'abc', '', undefined, '2147483648', 2147483648, 0, 1.5, null, true, ['5']]) {
      const body = buildNo === undefined ? { job_id: jobId } : { job_id: jobId, build_no: buildNo };
      const response = await stop(body);
      expect(response.status, JSON.stringify(buildNo)).toBe(400);
      expect(response.body).toEqual({ error_code: 'CB.00060200', error_msg: 'Invalid parameter.', request_id: expect.stringMatching(REQUEST_ID) });
      expect(response.headers.get('x-request-id')).toBe(response.body.request_id);
    }
    expect((await recordInfo(5)).body.result.status).toBe('RUNNING');
  });

  it('9. refuses malformed job ids with 400 CB.00060201, checked before build_no', async () => {
    const bad = [jobId.slice(1), jobId.toUpperCase(), `${jobId.slice(0, 8)}-${jobId.slice(9)}`, undefined, 42, ''];
    for (const id of bad) {
      const response = await stop(id === undefined ? { build_no: '1' } : { job_id: id, build_no: 'abc' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error_code: 'CB.00060201', error_msg: 'Invalid task ID.', request_id: expect.stringMatching(REQUEST_ID) });
    }
  });

  it('10. refuses an empty body, a non-JSON body and a JSON array with 400 CB.00060200', async () => {
    for (const body of ['', 'job_id=1', '{"job_id":', '[]', `[{"job_id":"${jobId}","build_no":"1"}]`, 'null', '"text"']) {
      const response = await stop(body);
      expect(response.status, body).toBe(400);
      expect(response.body.error_code).toBe('CB.00060200');
    }
  });

  it('11. answers a well-formed unknown job_id with 404 CB.00060201', async () => {
    const response = await stop({ job_id: 'f9d6c8466d614a9788e9a0acf6c15f46', build_no: '1' });
    expect(response.status).toBe(404);
    expect(response.body).toEqual(notFoundTask);
  });

  it('12. answers a build number never issued with 404 CB.00060200', async () => {
    const response = await stop({ job_id: jobId, build_no: '99' });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error_code: 'CB.00060200', error_msg: 'The build record does not exist.', request_id: expect.stringMatching(REQUEST_ID) });
  });

  it('13. answers a missing X-Auth-Token with 401 APIGW.0301; the build keeps running', async () => {
    const response = await stop({ job_id: jobId, build_no: '5' }, null);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: x-auth-token not found', request_id: expect.stringMatching(REQUEST_ID) });
    expect((await recordInfo(5)).body.result.status).toBe('RUNNING');
    expect((await patchTrace(5, 'still going\n')).status).toBe(202);
  });

  it('14. answers an expired token "token expires" and an unreadable one "decrypt token fail"', async () => {
    await sleep(1100);
    const expired = await stop({ job_id: jobId, build_no: '5' }, TX);
    expect(expired.status).toBe(401);
    expect(expired.body.error_code).toBe('APIGW.0301');
    expect(expired.body.error_msg).toMatch(/^Incorrect IAM authentication information: token expires, expires_at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    for (const token of ['random-string-that-is-no-token', T1.slice(0, -1), 'x'.repeat(5000)]) {
      const unreadable = await stop({ job_id: jobId, build_no: '5' }, token);
      expect(unreadable.status).toBe(401);
      expect(unreadable.body).toEqual({ error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: decrypt token fail', request_id: expect.stringMatching(REQUEST_ID) });
    }
    // A token of another dialect is no IAM token either.
    const gitlab = await http(server, 'POST', '/api/v4/users/1/personal_access_tokens', { token: server.root, json: { name: 'pat', scopes: ['api'] } });
    expect((await stop({ job_id: jobId, build_no: '5' }, gitlab.body.token)).body.error_msg).toMatch(/decrypt token fail$/);
  });

  it('15. hides a P1 task from a P2 token (the unknown-task 404); T1 still sees it RUNNING', async () => {
    const response = await stop({ job_id: jobId, build_no: '5' }, T2);
    expect(response.status).toBe(404);
    expect(response.body).toEqual(notFoundTask);
    for (const path of [`/v3/jobs/${jobId}/status`, `/v3/jobs/${jobId}/5/record-info`, `/v3/jobs/${jobId}/history`]) {
      expect((await codearts(server, 'GET', path, T2)).body).toEqual(notFoundTask);
    }
    expect((await run(jobId, T2)).body).toEqual(notFoundTask);
    expect((await recordInfo(5)).body.result.status).toBe('RUNNING');
  });

  it('16. refuses a domain-scoped token with 403 APIGW.0302', async () => {
    const response = await stop({ job_id: jobId, build_no: '5' }, TD);
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error_code: 'APIGW.0302', error_msg: 'The IAM user is not authorized to access the API.', request_id: expect.stringMatching(REQUEST_ID) });
  });

  it('17. keeps the task running while any build is in flight', async () => {
    expect((await run()).body.actual_build_number).toBe('6');
    await take(6);
    // Builds 5 and 6 are running.
    const status = () => codearts(server, 'GET', `/v3/jobs/${jobId}/status`, T1);
    expect((await status()).body).toEqual({ result: true });
    expect((await stop({ job_id: jobId, build_no: '5' })).body).toEqual({ result: true });
    expect((await status()).body).toEqual({ result: true });
    expect((await stop({ job_id: jobId, build_no: '6' })).body).toEqual({ result: true });
    expect((await status()).body).toEqual({ result: false });
  });

  it('18. lists the history newest first with integer build numbers, ABORTED for stopped builds, paged', async () => {
    const all = await codearts(server, 'GET', `/v3/jobs/${jobId}/history`, T1);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(6);
    expect(all.body.history_records.map((record: any) => [record.build_number, record.result])).toEqual([
      [6, 'ABORTED'],
      [5, 'ABORTED'],
      [4, 'FAILURE'],
      [3, 'SUCCESS'],
      [2, 'ABORTED'],
      [1, 'ABORTED'],
    ]);
    const [six, , , three, two] = all.body.history_records;
    const time = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(six).toEqual({ record_id: expect.stringMatching(/^[0-9a-f-]{36}$/), job_id: jobId, build_number: 6, start_time: time, end_time: time, result: 'ABORTED' });
    expect(two).toMatchObject({ start_time: null, end_time: time });
    expect(three.start_time).toMatch(/\+00:00$/);
    expect(two.record_id).toBe((await recordInfo(2)).body.result.build_record_id);

    const page = await codearts(server, 'GET', `/v3/jobs/${jobId}/history?offset=1&limit=2&interval=30`, T1);
    expect(page.body.total).toBe(6);
    expect(page.body.history_records.map((record: any) => record.build_number)).toEqual([4, 3]);
    const last = await codearts(server, 'GET', `/v3/jobs/${jobId}/history?offset=2&limit=4`, T1);
    expect(last.body).toEqual({ history_records: [], total: 6 });

    for (const query of ['limit=101', 'interval=31', 'limit=0', 'interval=0', 'offset=-1', 'offset=abc', 'limit=', 'interval=1.5']) {
      const response = await codearts(server, 'GET', `/v3/jobs/${jobId}/history?${query}`, T1);
      expect(response.status, query).toBe(400);
      expect(response.body.error_code).toBe('CB.00060200');
    }
    // A build in flight has no end_time.
    expect((await run()).body.actual_build_number).toBe('7');
    const newest = (await codearts(server, 'GET', `/v3/jobs/${jobId}/history?limit=1`, T1)).body;
    expect(newest).toEqual({ history_records: [expect.objectContaining({ build_number: 7, result: 'QUEUED', start_time: null, end_time: null })], total: 7 });
  });

  it('19. deletes the task: its queued build is stopped, then stop, status, record-info and run are 404', async () => {
    const deleted = await codearts(server, 'POST', `/v3/jobs/${jobId}/delete`, T1);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ result: { job_id: jobId, project_id: 'b4d3971c3988463b865f6f920846149e' }, status: 'success' });
    expect((await requestJob(server, runner.token)).status).toBe(204);
    for (const response of [
      await stop({ job_id: jobId, build_no: '7' }),
      await codearts(server, 'GET', `/v3/jobs/${jobId}/status`, T1),
      await recordInfo(1),
      await codearts(server, 'GET', `/v3/jobs/${jobId}/history`, T1),
      await run(),
      await codearts(server, 'POST', `/v3/jobs/${jobId}/delete`, T1),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body).toEqual(notFoundTask);
    }
  });

  it('20. answers a wrong method or unknown path with 404 CB.00060214 "URL not found."', async () => {
    for (const [method, path] of [
      ['GET', '/v3/jobs/stop'],
      ['PUT', '/v3/jobs/stop'],
      ['GET', '/v3/jobs/create'],
      ['POST', `/v3/jobs/${jobId}/status`],
      ['POST', '/v3/jobs/f9d6c8466d614a9788e9a0acf6c15f46/20/stop'],
      ['GET', '/v3/nothing'],
    ]) {
      const response = await codearts(server, method, path, T1);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body).toEqual({ error_code: 'CB.00060214', error_msg: 'URL not found.', request_id: expect.stringMatching(REQUEST_ID) });
      expect(response.headers.get('x-request-id')).toBe(response.body.request_id);
    }
  });
});
