import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../agent/common/logger';
import { RunnerApi } from '../../../agent/gitlab-runner/api';
import type { RunnerConfig } from '../../../agent/gitlab-runner/config';
import { startGitLabRunner, type GitLabRunner } from '../../../agent/gitlab-runner/runner';
import { JobTrace } from '../../../agent/gitlab-runner/trace';
import { http, makeRunner, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/**
 * The agent's shell runner against an in-process API on a free port: real pipelines with
 * before_script, script and after_script, variables, the log, artifacts zipped and uploaded and
 * handed to the next stage, a cancel through Job-Status, failure reasons and the job timeout.
 */
let server: GitLabServer;
let runner: GitLabRunner;
let dataDir: string;

const BUILD_AND_TEST = `
variables:
  GREETING: hello
build:
  stage: build
  before_script: ["echo before $GREETING"]
  script:
    - mkdir -p out/sub
    - echo "made by $CI_JOB_NAME in $CI_PROJECT_DIR" > out/result.txt
    - echo nested > out/sub/n.txt
    - echo noise > out/skip.log
    - echo '<testsuites/>' > report.xml
    - echo "token $CI_JOB_TOKEN"
  after_script: ["echo after $CI_JOB_STATUS"]
  artifacts:
    paths: [out/]
    exclude: ["out/*.log"]
    reports: { junit: report.xml }
test:
  stage: test
  script: ["cat out/result.txt", "test -f out/sub/n.txt", "test ! -e out/skip.log"]
`;

async function project(name: string, ci: string): Promise<number> {
  const id = (await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name } })).body.id;
  await http(server, 'POST', `/api/v4/projects/${id}/repository/files/.gitlab-ci.yml`, { token: server.root, json: { branch: 'main', content: ci, commit_message: 'ci [skip ci]' } });
  return id;
}

async function runPipeline(projectId: number): Promise<number> {
  return (await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref: 'main' } })).body.id;
}

async function jobsOf(projectId: number, pipelineId: number): Promise<Record<string, any>[]> {
  return (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs?include_retried=true`, { token: server.root })).body;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function finished(projectId: number, pipelineId: number): Promise<Record<string, any>> {
  return waitFor('the pipeline to finish', async () => {
    const pipeline = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}`, { token: server.root })).body;
    return ['success', 'failed', 'canceled'].includes(pipeline.status) ? pipeline : undefined;
  });
}

async function traceOf(projectId: number, jobId: number): Promise<string> {
  return (await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${jobId}/trace`, { token: server.root })).text;
}

beforeAll(async () => {
  server = await startGitLab();
  dataDir = mkdtempSync(join(tmpdir(), 'runner-test-'));
  const config: RunnerConfig = {
    url: server.url,
    adminToken: server.root,
    dataDir,
    description: 'test shell runner',
    tags: [],
    runUntagged: true,
    concurrent: 2,
    checkInterval: 0.1,
    updateInterval: 0.2,
    shell: 'bash',
    logLevel: 'error',
  };
  runner = startGitLabRunner(config, createLogger('error'));
  await runner.ready;
});
afterAll(async () => {
  await runner.stop();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the shell runner', () => {
  it('registers itself and keeps its token under the data folder', () => {
    expect(readFileSync(join(dataDir, 'token'), 'utf8')).toMatch(/^glrt-/);
  });

  it('runs a pipeline: scripts and variables, the log, artifacts uploaded and handed to the next stage', async () => {
    const projectId = await project('runs', BUILD_AND_TEST);
    const pipelineId = await runPipeline(projectId);
    const pipeline = await finished(projectId, pipelineId);
    const jobs = await jobsOf(projectId, pipelineId);
    const build = jobs.find((job) => job.name === 'build')!;
    const test = jobs.find((job) => job.name === 'test')!;
    expect([pipeline.status, build.status, test.status]).toEqual(['success', 'success', 'success']);

    const log = await traceOf(projectId, build.id);
    expect(log).toContain('$ echo before $GREETING');
    expect(log).toContain('before hello\n');
    expect(log).toContain('after success\n');
    expect(log).toContain('token [MASKED]');
    expect(log).toContain('Job succeeded');
    expect(build.artifacts.map((artifact: { file_type: string }) => artifact.file_type)).toEqual(['archive', 'metadata', 'trace', 'junit']);
    expect(build.artifacts_file.filename).toBe('artifacts.zip');

    const file = await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/artifacts/main/raw/out/result.txt?job=build`, { token: server.root });
    // gitlab-runner's layout: `<builds>/<concurrent slot>/<project path>`, the project checked out there.
    expect(file.text).toMatch(new RegExp(`^made by build in ${join(dataDir, 'builds')}/[01]/root/runs\n$`));
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${build.id}/artifacts/out/skip.log`, { token: server.root })).status).toBe(404);
    expect(await traceOf(projectId, test.id)).toContain('made by build');
    // The checkout is cleaned between jobs (git clean); the file-based variables are cleaned up.
    expect(existsSync(join(dataDir, 'builds', '0', 'root', 'runs.tmp'))).toBe(false);
    expect(await traceOf(projectId, test.id)).toMatch(/Fetching changes with git depth set to 50\.\.\.[\s\S]*Checking out [0-9a-f]{8} as detached HEAD \(ref is main\)/);
  });

  it('gives file variables as files and pipeline variables as the environment', async () => {
    const projectId = await project('variables', 'show: { variables: { OUT: "$CI_PROJECT_DIR/out" }, script: ["cat $CONFIG_FILE", "echo \\"mode=$MODE\\"", "test \\"$OUT\\" = \\"$PWD/out\\""] }');
    const pipelineId = (
      await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, {
        token: server.root,
        json: { ref: 'main', variables: [{ key: 'CONFIG_FILE', value: 'from a file', variable_type: 'file' }, { key: 'MODE', value: 'fast' }] },
      })
    ).body.id;
    expect((await finished(projectId, pipelineId)).status).toBe('success');
    const [job] = await jobsOf(projectId, pipelineId);
    const log = await traceOf(projectId, job!.id);
    expect(log).toContain('from a file');
    expect(log).toContain('mode=fast');
  });

  it('reports a failing script as script_failure with its exit code', async () => {
    const projectId = await project('fails', 'broken: { script: ["echo about to fail", "exit 3", "echo never"] }');
    const pipelineId = await runPipeline(projectId);
    expect((await finished(projectId, pipelineId)).status).toBe('failed');
    const [job] = await jobsOf(projectId, pipelineId);
    expect(job).toMatchObject({ status: 'failed', failure_reason: 'script_failure' });
    const log = await traceOf(projectId, job!.id);
    expect(log).toContain('about to fail');
    expect(log).not.toContain('never\n');
    expect(log).toContain('ERROR: Job failed: exit code 3');
  });

  it('stops a job canceled on the server (Job-Status), killing its processes, and still runs after_script', async () => {
    // The script would sleep far longer than the test may run: only the runner's kill ends it.
    const projectId = await project('cancels', 'slow: { script: ["echo started", "sleep 3017", "echo finished"], after_script: ["echo cleanup $CI_JOB_STATUS"] }');
    const pipelineId = await runPipeline(projectId);
    const job = await waitFor('the job to start', async () => {
      const [candidate] = await jobsOf(projectId, pipelineId);
      return candidate?.status === 'running' && (await traceOf(projectId, candidate.id)).includes('started') ? candidate : undefined;
    });
    await http(server, 'POST', `/api/v4/projects/${projectId}/jobs/${job.id}/cancel`, { token: server.root });
    const pipeline = await finished(projectId, pipelineId);
    expect(pipeline.status).toBe('canceled');
    // The runner learns of the cancel from its next trace update, kills the script and runs after_script.
    const log = await waitFor('after_script after the cancel', async () => {
      const trace = await traceOf(projectId, job.id);
      return trace.includes('cleanup canceled') ? trace : undefined;
    });
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.startsWith('sleep 3017'))).toEqual([]);
    expect(log).not.toContain('finished\n');
    expect(log).toContain('cleanup canceled');
  });

  it('fails a job that runs past its timeout with job_execution_timeout', async () => {
    // Only the timeout can end this script within the test's time.
    const projectId = await project('times-out', 'slow: { timeout: 2 seconds, script: ["sleep 3019"] }');
    const pipelineId = await runPipeline(projectId);
    await finished(projectId, pipelineId);
    const [job] = await jobsOf(projectId, pipelineId);
    expect(job).toMatchObject({ status: 'failed', failure_reason: 'job_execution_timeout' });
    expect(await traceOf(projectId, job!.id)).toContain('execution took longer than 2 seconds');
  });
});

describe('the log stream', () => {
  it('resumes where the server says after a 416', async () => {
    await runner.stop();
    const projectId = await project('trace', 'job: { script: x }');
    await runPipeline(projectId);
    const job = (await requestJob(server, (await makeRunner(server)).token)).body;
    const statuses: string[] = [];
    const trace = new JobTrace(new RunnerApi(server.url), job.id, job.token, [], (status) => statuses.push(status), createLogger('error'));
    trace.write('hello world');
    await trace.flush();
    // Someone else resets the log to three bytes: the runner's next append no longer fits.
    await http(server, 'PATCH', `/api/v4/jobs/${job.id}/trace`, { body: 'abc', headers: { 'JOB-TOKEN': job.token, 'Content-Range': '0-2' } });
    trace.write('!');
    await trace.flush();
    expect(await traceOf(projectId, job.id)).toBe('abclo world!');
    // A large output goes in several appends of at most 1 MiB.
    trace.write('x'.repeat(2.5 * 1024 * 1024));
    await trace.flush();
    expect((await traceOf(projectId, job.id)).length).toBe(12 + 2.5 * 1024 * 1024);
    expect(statuses).toContain('running');
    await http(server, 'POST', `/api/v4/projects/${projectId}/jobs/${job.id}/cancel`, { token: server.root });
    trace.write('more');
    await trace.flush();
    expect(statuses.at(-1)).toBe('canceled');
  });
});
