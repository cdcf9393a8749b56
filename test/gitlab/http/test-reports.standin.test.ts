import { gzipSync } from 'node:zlib';
import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, finishJob, http, makeRunner, makeUser, projectWithCi, requestJob, startGitLab, type GitLabServer } from '../../support/gitlab';

/** A pipeline's test report and its summary, from the JUnit reports runners upload, through gitbeaker. */
let server: GitLabServer;
let api: InstanceType<typeof Gitlab>;

const CI = `"rspec 1/2":
  tags: [reports]
  script: [rspec]
  artifacts: { reports: { junit: rspec.xml } }
"rspec 2/2":
  tags: [reports]
  script: [rspec]
  artifacts: { reports: { junit: rspec.xml } }
lint:
  tags: [reports]
  script: [lint]
  artifacts: { reports: { junit: lint.xml } }
build:
  tags: [reports]
  script: [make]
`;

const first = `<testsuites><testsuite name="models">
  <testcase classname="user" name="is valid" time="0.5"/>
  <testcase classname="user" name="rejects blanks" time="1.25"><failure message="no">expected false</failure></testcase>
</testsuite></testsuites>`;
const third = '<testsuite name="api"><testcase classname="api" name="lists" time="0.25"/></testsuite>';
const second = '<testsuite name="api"><testcase classname="api" name="lists" time="2"/><testcase classname="api" name="later" time="0"><skipped/></testcase></testsuite>';

/** Uploads a report as a stock gitlab-runner does: one gzip member per file, `artifact_type=junit&artifact_format=gzip`. */
async function uploadJunit(jobId: number, token: string, documents: string[]) {
  const form = new FormData();
  form.set('file', new Blob([Buffer.concat(documents.map((document) => gzipSync(document)))]), 'junit.gz');
  const response = await fetch(`${server.url}/api/v4/jobs/${jobId}/artifacts?artifact_type=junit&artifact_format=gzip&expire_in=1+day`, { method: 'POST', headers: { 'JOB-TOKEN': token }, body: form });
  expect(response.status).toBe(201);
}

let projectId: number;
let pipelineId: number;
const jobIds: Record<string, number> = {};

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  projectId = (await projectWithCi(server, 'reports', CI)).id;
  const runner = await makeRunner(server, { tags: ['reports'], runUntagged: false });
  pipelineId = (await api.Pipelines.create(projectId, 'main')).id;
  for (let i = 0; i < 4; i++) {
    const job = await requestJob(server, runner.token);
    expect(job.status).toBe(201);
    jobIds[job.body.job_info.name] = job.body.id;
    if (job.body.job_info.name === 'rspec 1/2') await uploadJunit(job.body.id, job.body.token, [first]);
    if (job.body.job_info.name === 'rspec 2/2') await uploadJunit(job.body.id, job.body.token, [second, third]);
    if (job.body.job_info.name === 'lint') await uploadJunit(job.body.id, job.body.token, ['<testsuite><testcase name="x"></testsuite>']);
    await finishJob(server, job.body.id, job.body.token, job.body.job_info.name === 'rspec 1/2' ? 'failed' : 'success');
  }
});
afterAll(async () => server.stop());

describe('GET /projects/:id/pipelines/:pipeline_id/test_report', () => {
  it('answers the suites of the jobs that uploaded JUnit reports, one per job group, every gzip member read', async () => {
    const report = await api.Pipelines.showTestReport(projectId, pipelineId);
    // The same case in two documents counts once (the later one is shown), while both of its times add up.
    expect(report).toMatchObject({ total_time: 4, total_count: 4, success_count: 2, failed_count: 1, skipped_count: 1, error_count: 0 });
    const suites = report.test_suites as { name: string; test_cases: unknown[] }[];
    expect(suites.map((suite) => suite.name)).toEqual(['rspec', 'lint']);
    const [rspec, lint] = suites;
    expect(rspec).toMatchObject({ total_time: 4, total_count: 4, success_count: 2, failed_count: 1, skipped_count: 1, error_count: 0, suite_error: null });
    expect(rspec.test_cases).toEqual([
      { status: 'failed', name: 'rejects blanks', classname: 'user', file: null, execution_time: 1.25, system_output: 'expected false', stack_trace: null, recent_failures: null },
      { status: 'success', name: 'is valid', classname: 'user', file: null, execution_time: 0.5, system_output: null, stack_trace: null, recent_failures: null },
      { status: 'success', name: 'lists', classname: 'api', file: null, execution_time: 0.25, system_output: null, stack_trace: null, recent_failures: null },
      { status: 'skipped', name: 'later', classname: 'api', file: null, execution_time: 0, system_output: null, stack_trace: null, recent_failures: null },
    ]);
    expect(lint).toMatchObject({ total_count: 0, test_cases: [], suite_error: expect.stringMatching(/^JUnit XML parsing failed: /) });
  });

  it('is read by those who may read builds, and 404 for another project\'s pipeline', async () => {
    const outsider = await makeUser(server, 'outsider');
    expect((await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/test_report`, { token: outsider.token })).status).toBe(404);
    const guest = await makeUser(server, 'guest');
    await api.ProjectMembers.add(projectId, 10, { userId: guest.id });
    await api.Projects.edit(projectId, { publicJobs: false } as never);
    expect(await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/test_report`, { token: guest.token })).toMatchObject({ status: 403, body: { message: '403 Forbidden' } });
    const other = (await projectWithCi(server, 'other-reports', 'job: { script: [x] }\n')).id;
    expect(await http(server, 'GET', `/api/v4/projects/${other}/pipelines/${pipelineId}/test_report`, { token: server.root })).toMatchObject({ status: 404, body: { message: '404 Not found' } });
  });

  it('answers an empty report for a pipeline without reports', async () => {
    const other = (await projectWithCi(server, 'no-reports', 'job: { script: [x] }\n')).id;
    const pipeline = await api.Pipelines.create(other, 'main');
    expect(await api.Pipelines.showTestReport(other, pipeline.id)).toEqual({ total_time: 0, total_count: 0, success_count: 0, failed_count: 0, skipped_count: 0, error_count: 0, test_suites: [] });
  });
});

describe('GET /projects/:id/pipelines/:pipeline_id/test_report_summary', () => {
  it('sums each job\'s own report, with the build ids of every suite', async () => {
    const summary = await api.Pipelines.showTestReportSummary(projectId, pipelineId);
    expect(summary).toEqual({
      total: { time: 4, count: 4, success: 2, failed: 1, skipped: 1, error: 0, suite_error: expect.stringMatching(/^JUnit XML parsing failed: /) },
      test_suites: [
        { name: 'rspec', total_time: 4, total_count: 4, success_count: 2, failed_count: 1, skipped_count: 1, error_count: 0, build_ids: [jobIds['rspec 1/2'], jobIds['rspec 2/2']], suite_error: null },
        { name: 'lint', total_time: 0, total_count: 0, success_count: 0, failed_count: 0, skipped_count: 0, error_count: 0, build_ids: [jobIds.lint], suite_error: expect.stringMatching(/^JUnit XML parsing failed: /) },
      ],
    });
  });
});
