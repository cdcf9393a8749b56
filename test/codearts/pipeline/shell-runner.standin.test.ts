import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../agent/common/logger';
import { startGitLabRunner, type GitLabRunner } from '../../../agent/gitlab-runner/runner';
import { http, startGitLab, type GitLabServer } from '../../support/gitlab';
import { eventually } from '../../support/nomad-http';
import { codearts, mintToken } from '../support';

/**
 * CodeArts builds executed by the agent's shell runner (the one `npm start` runs): the steps'
 * commands really run, a failing step fails the build, and a stop ends a running one.
 */
let server: GitLabServer;
let runner: GitLabRunner;
let dataDir: string;
let token: string;

const SHELL = 'devcloud2018.codeci_action_20017.action';

async function waitForStatus(jobId: string, buildNo: number, wanted: string) {
  const result = await eventually(async () => (await codearts(server, 'GET', `/v3/jobs/${jobId}/${buildNo}/record-info`, token)).body.result, (build) => build.status === wanted);
  expect(result.status, `build ${buildNo}`).toBe(wanted);
  return result;
}

async function traces(jobId: string): Promise<{ status: string; trace: string }[]> {
  const project = encodeURIComponent(`codearts-build/${jobId}`);
  const jobs = (await http(server, 'GET', `/api/v4/projects/${project}/jobs`, { token: server.root })).body as { id: number; status: string }[];
  return Promise.all(
    jobs.reverse().map(async (job) => ({ status: job.status, trace: (await http(server, 'GET', `/api/v4/projects/${project}/jobs/${job.id}/trace`, { token: server.root })).text })),
  );
}

beforeAll(async () => {
  server = await startGitLab();
  dataDir = mkdtempSync(join(tmpdir(), 'codearts-runner-'));
  runner = startGitLabRunner(
    { url: server.url, adminToken: server.root, dataDir, description: 'codearts test runner', tags: [], runUntagged: true, concurrent: 2, checkInterval: 0.1, updateInterval: 0.2, shell: 'bash', logLevel: 'error' },
    createLogger('error'),
  );
  await runner.ready;
  token = (await mintToken(server, { project: { name: 'cn-north-4', domain: { name: 'acme' } } })).token;
});
afterAll(async () => {
  await runner.stop();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('CodeArts builds on the shell runner', () => {
  it('runs the steps in order with their variables; a failing step fails the build', async () => {
    const created = await codearts(server, 'POST', '/v3/jobs/create', token, {
      arch: 'x86-64',
      project_id: 'b4d3971c3988463b865f6f920846149e',
      job_name: 'steps',
      parameters: [{ name: 'hudson.model.StringParameterDefinition', params: [{ name: 'name', value: 'TARGET' }, { name: 'defaultValue', value: 'all' }] }],
      steps: [
        { module_id: SHELL, name: 'Compile', properties: { command: 'echo "compiling $TARGET as build $INCREASENUM ($BUILDNUMBER)" > out.txt; cat out.txt' } },
        { module_id: 'devcloud2018.codeci_action_20029.action', name: 'Maven', properties: { goals: 'package' } },
        { module_id: SHELL, name: 'Check', properties: { command: 'test "$TARGET" != broken' } },
      ],
    });
    const jobId = created.body.result.job_id;
    const first = await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId });
    expect((await waitForStatus(jobId, 1, 'SUCCESS')).finish_time).not.toBeNull();
    await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId, parameter: [{ name: 'TARGET', value: 'broken' }] });
    await waitForStatus(jobId, 2, 'FAILURE');
    expect((await codearts(server, 'POST', '/v3/jobs/stop', token, { job_id: jobId, build_no: '2' })).body).toEqual({ result: false });

    const [one, two] = await traces(jobId);
    expect(one.status).toBe('success');
    expect(one.trace).toContain(`compiling all as build 1 (${first.body.daily_build_number})`);
    expect(one.trace).toContain('module devcloud2018.codeci_action_20029.action is not available on this runner');
    expect(two.status).toBe('failed');
    expect(two.trace).toContain('compiling broken as build 2');
  });

  it('stops a build the runner is running: ABORTED at once, the runner ends its job canceled', async () => {
    const created = await codearts(server, 'POST', '/v3/jobs/create', token, {
      arch: 'x86-64',
      project_id: 'b4d3971c3988463b865f6f920846149e',
      job_name: 'long',
      steps: [{ module_id: SHELL, name: 'Wait', properties: { command: 'echo waiting; sleep 120; echo never' } }],
    });
    const jobId = created.body.result.job_id;
    await codearts(server, 'POST', '/v3/jobs/build', token, { job_id: jobId });
    await waitForStatus(jobId, 1, 'RUNNING');
    // Stopped once the command has started (its first line is in the log), not before the shell did.
    await eventually(() => traces(jobId), ([job]) => /^waiting\r?$/m.test(job.trace));
    expect((await codearts(server, 'POST', '/v3/jobs/stop', token, { job_id: jobId, build_no: '1' })).body).toEqual({ result: true });
    expect((await codearts(server, 'GET', `/v3/jobs/${jobId}/1/record-info`, token)).body.result.status).toBe('ABORTED');
    const [job] = await eventually(() => traces(jobId), ([candidate]) => candidate.status === 'canceled');
    expect(job.status).toBe('canceled');
    // The log shows the command (with `echo never` in it), its first output line, and not its last.
    expect(job.trace).toMatch(/^waiting\r?$/m);
    expect(job.trace).not.toMatch(/^never\r?$/m);
    expect((await codearts(server, 'GET', `/v3/jobs/${jobId}/status`, token)).body).toEqual({ result: false });
  });
});
