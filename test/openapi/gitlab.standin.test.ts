import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startGitLab, type GitLabServer } from '../support/gitlab';
import { readResponse } from '../support/nomad';
import { DocumentedAnswers } from '../support/openapi';
import { makeZip, uploadViaAuthorize } from '../gitlab/artifacts/helpers';

/**
 * Every operation of `/openapi/gitlab.json`, called on a live stack as a user and as
 * gitlab-runner would (register, take a job, stream its log, upload artifacts, finish), answers
 * as documented, errors included.
 */
let server: GitLabServer;
let answers: DocumentedAnswers;

beforeAll(async () => {
  server = await startGitLab();
  const document = await http(server, 'GET', '/openapi/gitlab.json');
  expect(document.status).toBe(200);
  answers = new DocumentedAnswers(document.body);
});
afterAll(async () => server.stop());

type Options = Parameters<typeof http>[3];
const call = async (method: string, template: string, path: string, options: Options = { token: server.root }) =>
  answers.check(method, template, await http(server, method, `/api/v4${path}`, options));
const asRoot = (json?: unknown): Options => ({ token: server.root, json });

const CI = ['stages: [build, test]', 'build:', '  stage: build', '  script: [echo building]', '  artifacts:', '    paths: [out/]', 'test:', '  stage: test', '  script: [echo testing]', 'deploy:', '  stage: test', '  when: manual', '  script: [echo deploying]', ''].join('\n');

describe('the GitLab document against live answers', () => {
  it('documents every answer of projects, pipelines, jobs, CI Lint and the runner protocol', async () => {
    expect((await call('GET', '/api/v4/version', '/version')).body.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await call('GET', '/api/v4/version', '/version', {})).status).toBe(401);
    expect((await call('GET', '/api/v4/user', '/user')).body.username).toBe('root');
    expect((await call('GET', '/api/v4/user', '/user', { token: 'glpat-nope' })).status).toBe(401);
    const project = await call('POST', '/api/v4/projects', '/projects', asRoot({ name: 'demo' }));
    expect(project.status).toBe(201);
    const id: number = project.body.id;
    expect((await call('POST', '/api/v4/projects', '/projects', asRoot({}))).status).toBe(400);
    expect((await call('POST', '/api/v4/projects', '/projects', { json: { name: 'x' } })).status).toBe(401);
    const file = await http(server, 'POST', `/api/v4/projects/${id}/repository/files/.gitlab-ci.yml`, asRoot({ branch: 'main', content: CI, commit_message: 'ci [skip ci]' }));
    expect(file.status).toBe(201);
    expect((await call('GET', '/api/v4/projects', '/projects?per_page=5')).body[0].id).toBe(id);
    expect((await call('GET', '/api/v4/projects', '/projects?order_by=nope')).status).toBe(400);
    expect((await call('GET', '/api/v4/projects/{id}', `/projects/${id}`)).body.id).toBe(id);
    expect((await call('GET', '/api/v4/projects/{id}', '/projects/99999')).status).toBe(404);

    expect((await call('POST', '/api/v4/projects/{id}/ci/lint', `/projects/${id}/ci/lint`, asRoot({ content: CI, include_jobs: true }))).body.valid).toBe(true);
    expect((await call('POST', '/api/v4/projects/{id}/ci/lint', `/projects/${id}/ci/lint`, asRoot({ content: 'job: {' }))).body.valid).toBe(false);
    expect((await call('POST', '/api/v4/projects/{id}/ci/lint', `/projects/${id}/ci/lint`, asRoot({}))).status).toBe(400);
    expect((await call('GET', '/api/v4/projects/{id}/ci/lint', `/projects/${id}/ci/lint`)).body.valid).toBe(true);

    const registered = await call('POST', '/api/v4/runners', '/runners', { json: { token: project.body.runners_token, description: 'docs' } });
    expect(registered.status).toBe(201);
    const runner: string = registered.body.token;
    expect((await call('POST', '/api/v4/runners', '/runners', { json: { token: 'nope' } })).status).toBe(403);
    expect((await call('POST', '/api/v4/runners/verify', '/runners/verify', { json: { token: runner } })).body.id).toBe(registered.body.id);
    expect((await call('POST', '/api/v4/runners/verify', '/runners/verify', { json: { token: 'glrt-nope' } })).status).toBe(403);
    const info = { name: 'gitlab-runner', version: '17.5.0', executor: 'shell', features: { trace_sections: true } };
    expect((await call('POST', '/api/v4/jobs/request', '/jobs/request', { json: { token: runner, info } })).status).toBe(204);

    const pipeline = await call('POST', '/api/v4/projects/{id}/pipeline', `/projects/${id}/pipeline`, asRoot({ ref: 'main' }));
    expect(pipeline.status).toBe(201);
    const pipelineId: number = pipeline.body.id;
    expect((await call('POST', '/api/v4/projects/{id}/pipeline', `/projects/${id}/pipeline`, asRoot({}))).status).toBe(400);
    expect((await call('GET', '/api/v4/projects/{id}/pipelines', `/projects/${id}/pipelines`)).body).toHaveLength(1);
    expect((await call('GET', '/api/v4/projects/{id}/pipelines/{pipeline_id}', `/projects/${id}/pipelines/${pipelineId}`)).body.status).toBe('pending');
    expect((await call('GET', '/api/v4/projects/{id}/pipelines/{pipeline_id}', `/projects/${id}/pipelines/99999`)).status).toBe(404);
    expect((await call('GET', '/api/v4/projects/{id}/pipelines/{pipeline_id}/jobs', `/projects/${id}/pipelines/${pipelineId}/jobs`)).body).toHaveLength(3);

    const taken = await call('POST', '/api/v4/jobs/request', '/jobs/request', { json: { token: runner, info } });
    expect(taken.status).toBe(201);
    const job = { id: taken.body.id as number, token: taken.body.token as string, projectId: id, pipelineId };
    expect((await call('PUT', '/api/v4/jobs/{id}', `/jobs/${job.id}`, { json: { token: job.token, state: 'running' } })).status).toBe(200);
    const log = '\u001b[32;1mbuilding\u001b[0;m\n';
    const patch = (text: string, from: number) => call('PATCH', '/api/v4/jobs/{id}/trace', `/jobs/${job.id}/trace`, { body: text, headers: { 'JOB-TOKEN': job.token, 'Content-Range': `${from}-${from + text.length - 1}` } });
    expect((await patch(log, 0)).status).toBe(202);
    expect((await patch('again', 100)).status).toBe(416);
    expect((await uploadViaAuthorize(server, job, await makeZip({ 'out/result.txt': 'built' }))).status).toBe(201);
    expect((await call('PUT', '/api/v4/jobs/{id}', `/jobs/${job.id}`, { json: { token: job.token, state: 'success' } })).status).toBe(200);
    expect((await call('PUT', '/api/v4/jobs/{id}', `/jobs/${job.id}`, { json: { token: 'wrong', state: 'success' } })).status).toBe(403);
    expect((await call('GET', '/api/v4/projects/{id}/jobs', `/projects/${id}/jobs?scope[]=success`)).body).toHaveLength(1);
    expect((await call('GET', '/api/v4/projects/{id}/jobs', `/projects/${id}/jobs?scope[]=nope`)).status).toBe(400);
    const shown = await call('GET', '/api/v4/projects/{id}/jobs/{job_id}', `/projects/${id}/jobs/${job.id}`);
    expect(shown.body.artifacts_file.filename).toBe('artifacts.zip');
    expect((await call('GET', '/api/v4/projects/{id}/jobs/{job_id}', `/projects/${id}/jobs/99999`)).status).toBe(404);
    expect((await call('GET', '/api/v4/projects/{id}/jobs/{job_id}/trace', `/projects/${id}/jobs/${job.id}/trace`)).text).toBe(log);
    expect((await call('GET', '/api/v4/projects/{id}/jobs/{job_id}/artifacts', `/projects/${id}/jobs/${job.id}/artifacts`)).status).toBe(200);
    const one = await call('GET', '/api/v4/projects/{id}/jobs/{job_id}/artifacts/{artifact_path}', `/projects/${id}/jobs/${job.id}/artifacts/out/result.txt`);
    expect(one.text).toBe('built');
    expect((await call('GET', '/api/v4/projects/{id}/jobs/{job_id}/artifacts/{artifact_path}', `/projects/${id}/jobs/${job.id}/artifacts/no/such`)).status).toBe(404);

    expect((await call('POST', '/api/v4/projects/{id}/jobs/{job_id}/erase', `/projects/${id}/jobs/${job.id}/erase`)).body.erased_at).not.toBeNull();
    expect((await call('POST', '/api/v4/projects/{id}/jobs/{job_id}/erase', `/projects/${id}/jobs/${job.id}/erase`, {})).status).toBe(401);
    const deploy = (await call('GET', '/api/v4/projects/{id}/jobs', `/projects/${id}/jobs?scope[]=manual`)).body[0];
    expect((await call('POST', '/api/v4/projects/{id}/jobs/{job_id}/play', `/projects/${id}/jobs/${deploy.id}/play`, asRoot({ job_variables_attributes: [{ key: 'TARGET', value: 'staging' }] }))).body.status).toBe('pending');
    expect((await call('POST', '/api/v4/projects/{id}/jobs/{job_id}/play', `/projects/${id}/jobs/${deploy.id}/play`, asRoot({ job_variables_attributes: [{ value: 'x' }] }))).status).toBe(400);
    const testJob = (await call('GET', '/api/v4/projects/{id}/pipelines/{pipeline_id}/jobs', `/projects/${id}/pipelines/${pipelineId}/jobs`)).body.find((entry: { name: string }) => entry.name === 'test');
    expect((await call('POST', '/api/v4/projects/{id}/jobs/{job_id}/cancel', `/projects/${id}/jobs/${testJob.id}/cancel`)).status).toBe(201);
    expect((await call('POST', '/api/v4/projects/{id}/jobs/{job_id}/retry', `/projects/${id}/jobs/${testJob.id}/retry`)).status).toBe(201);
    expect((await call('POST', '/api/v4/projects/{id}/jobs/{job_id}/retry', `/projects/${id}/jobs/${job.id}/retry`, {})).status).toBe(401);
    expect((await call('POST', '/api/v4/projects/{id}/pipelines/{pipeline_id}/cancel', `/projects/${id}/pipelines/${pipelineId}/cancel`)).body.status).toBe('canceled');
    expect((await call('POST', '/api/v4/projects/{id}/pipelines/{pipeline_id}/retry', `/projects/${id}/pipelines/${pipelineId}/retry`)).status).toBe(201);

    expect((await call('DELETE', '/api/v4/runners', '/runners', { json: { token: runner } })).status).toBe(204);
    expect((await call('DELETE', '/api/v4/runners', '/runners', { json: { token: runner } })).status).toBe(403);
  });

  it('documents every answer of branches, tags, commits and the tree', async () => {
    const project = await call('POST', '/api/v4/projects', '/projects', asRoot({ name: 'repo' }));
    const id: number = project.body.id;
    expect((await http(server, 'POST', `/api/v4/projects/${id}/repository/files/src%2Fmain.sh`, asRoot({ branch: 'main', content: 'echo hi\n', commit_message: 'first' }))).status).toBe(201);
    expect((await http(server, 'POST', `/api/v4/projects/${id}/repository/files/README.md`, asRoot({ branch: 'main', content: '# repo\n', commit_message: 'second' }))).status).toBe(201);

    const branches = (path: string, options?: Options) => call('GET', '/api/v4/projects/{id}/repository/branches', `/projects/${id}/repository/branches${path}`, options);
    expect((await call('POST', '/api/v4/projects/{id}/repository/branches', `/projects/${id}/repository/branches`, asRoot({ branch: 'feature', ref: 'main' }))).body.name).toBe('feature');
    expect((await call('POST', '/api/v4/projects/{id}/repository/branches', `/projects/${id}/repository/branches`, asRoot({ branch: 'x' }))).status).toBe(400);
    expect((await branches('')).body.map((branch: { name: string }) => branch.name)).toEqual(['feature', 'main']);
    expect((await branches('?regex=(')).status).toBe(400);
    expect((await call('GET', '/api/v4/projects/{id}/repository/branches/{branch}', `/projects/${id}/repository/branches/main`)).body.default).toBe(true);
    expect((await call('GET', '/api/v4/projects/{id}/repository/branches/{branch}', `/projects/${id}/repository/branches/nope`)).status).toBe(404);
    expect((await call('DELETE', '/api/v4/projects/{id}/repository/branches/{branch}', `/projects/${id}/repository/branches/feature`)).status).toBe(204);
    expect((await call('DELETE', '/api/v4/projects/{id}/repository/branches/{branch}', `/projects/${id}/repository/branches/feature`, {})).status).toBe(401);

    expect((await call('POST', '/api/v4/projects/{id}/repository/tags', `/projects/${id}/repository/tags`, asRoot({ tag_name: 'v1', ref: 'main', message: 'one' }))).body.message).toBe('one');
    expect((await call('POST', '/api/v4/projects/{id}/repository/tags', `/projects/${id}/repository/tags`, asRoot({ tag_name: 'v0', ref: 'main' }))).body.created_at).toBeNull();
    expect((await call('POST', '/api/v4/projects/{id}/repository/tags', `/projects/${id}/repository/tags`, asRoot({ ref: 'main' }))).status).toBe(400);
    expect((await call('GET', '/api/v4/projects/{id}/repository/tags', `/projects/${id}/repository/tags`)).body).toHaveLength(2);
    expect((await call('GET', '/api/v4/projects/{id}/repository/tags', `/projects/${id}/repository/tags?order_by=nope`)).status).toBe(400);
    expect((await call('GET', '/api/v4/projects/{id}/repository/tags/{tag_name}', `/projects/${id}/repository/tags/v1`)).body.commit.title).toBe('second');
    expect((await call('GET', '/api/v4/projects/{id}/repository/tags/{tag_name}', `/projects/${id}/repository/tags/v9`)).status).toBe(404);
    expect((await call('DELETE', '/api/v4/projects/{id}/repository/tags/{tag_name}', `/projects/${id}/repository/tags/v0`)).status).toBe(204);
    expect((await call('DELETE', '/api/v4/projects/{id}/repository/tags/{tag_name}', `/projects/${id}/repository/tags/v9`)).status).toBe(404);

    const commits = (await call('GET', '/api/v4/projects/{id}/repository/commits', `/projects/${id}/repository/commits?with_stats=true`)).body;
    expect(commits.map((commit: { title: string }) => commit.title).slice(0, 2)).toEqual(['second', 'first']);
    expect((await call('GET', '/api/v4/projects/{id}/repository/commits', `/projects/${id}/repository/commits?since=yesterday`)).status).toBe(400);
    const shown = await call('GET', '/api/v4/projects/{id}/repository/commits/{sha}', `/projects/${id}/repository/commits/${commits[0].id}`);
    expect([shown.body.stats.additions, shown.body.project_id]).toEqual([1, id]);
    expect((await call('GET', '/api/v4/projects/{id}/repository/commits/{sha}', `/projects/${id}/repository/commits/${'0'.repeat(40)}`)).status).toBe(404);

    const tree = await call('GET', '/api/v4/projects/{id}/repository/tree', `/projects/${id}/repository/tree`);
    expect(tree.body.map((item: { path: string; type: string }) => `${item.type} ${item.path}`)).toEqual(['tree src', 'blob README.md']);
    expect((await call('GET', '/api/v4/projects/{id}/repository/tree', `/projects/${id}/repository/tree?path=src&ref=main`)).body[0].path).toBe('src/main.sh');
    expect((await call('GET', '/api/v4/projects/{id}/repository/tree', `/projects/${id}/repository/tree?pagination=none`)).status).toBe(400);
    expect((await call('GET', '/api/v4/projects/{id}/repository/tree', `/projects/${id}/repository/tree?path=nope`)).status).toBe(404);
  });

  it('documents every answer of the repository files API', async () => {
    const id: number = (await call('POST', '/api/v4/projects', '/projects', asRoot({ name: 'files' }))).body.id;
    const template = '/api/v4/projects/{id}/repository/files/{file_path}';
    const file = `/projects/${id}/repository/files/docs%2Fnotes.md`;
    const write = (body: Record<string, unknown>) => ({ token: server.root, json: { branch: 'main', commit_message: 'notes [skip ci]', ...body } });
    const created = await call('POST', template, file, write({ content: 'one\n' }));
    expect([created.status, created.body]).toEqual([201, { file_path: 'docs/notes.md', branch: 'main' }]);
    expect((await call('POST', template, file, write({ content: 'again' }))).body).toEqual({ message: 'A file with this name already exists' });
    expect((await call('POST', template, file, write({}))).status).toBe(400);
    expect((await call('POST', template, file, { json: { branch: 'main', content: 'x', commit_message: 'x' } })).status).toBe(401);
    const updated = await call('PUT', template, file, write({ content: Buffer.from('two\n').toString('base64'), encoding: 'base64' }));
    expect([updated.status, updated.body.file_path]).toEqual([200, 'docs/notes.md']);
    const read = await call('GET', template, `${file}?ref=main`);
    expect([Buffer.from(read.body.content, 'base64').toString(), read.body.file_name, read.body.size]).toEqual(['two\n', 'notes.md', 4]);
    expect((await call('GET', template, file)).status).toBe(400);
    expect((await call('GET', template, `/projects/${id}/repository/files/nope.md?ref=main`)).body).toEqual({ message: '404 File Not Found' });
    expect((await call('GET', `${template}/raw`, `${file}/raw`)).text).toBe('two\n');
    expect((await call('GET', `${template}/raw`, `/projects/${id}/repository/files/nope.md/raw`)).status).toBe(404);
    expect((await call('DELETE', template, file, write({}))).status).toBe(204);
    expect((await call('DELETE', template, file, { json: { branch: 'main', commit_message: 'x' } })).status).toBe(401);
    expect((await call('PUT', template, file, write({ content: 'three' }))).status).toBe(400);
  });

  it('documents every answer of variables, triggers, schedules, users and the runners API', async () => {
    const project = await call('POST', '/api/v4/projects', '/projects', asRoot({ name: 'ci' }));
    const id: number = project.body.id;
    expect((await http(server, 'POST', `/api/v4/projects/${id}/repository/files/.gitlab-ci.yml`, asRoot({ branch: 'main', content: 'job:\n  script: [echo $WHO]\n', commit_message: 'ci' }))).status).toBe(201);

    const variable = await call('POST', '/api/v4/projects/{id}/variables', `/projects/${id}/variables`, asRoot({ key: 'WHO', value: 'world', description: 'who' }));
    expect([variable.status, variable.body.environment_scope]).toEqual([201, '*']);
    expect((await call('POST', '/api/v4/projects/{id}/variables', `/projects/${id}/variables`, asRoot({ key: 'WHO', value: 'again' }))).status).toBe(400);
    expect((await call('POST', '/api/v4/projects/{id}/variables', `/projects/${id}/variables`, asRoot({ key: 'HIDDEN', value: 'secret-value', masked_and_hidden: true, masked: true }))).body.value).toBeNull();
    expect((await call('GET', '/api/v4/projects/{id}/variables', `/projects/${id}/variables`)).body).toHaveLength(2);
    expect((await call('GET', '/api/v4/projects/{id}/variables', `/projects/${id}/variables`, {})).status).toBe(401);
    expect((await call('GET', '/api/v4/projects/{id}/variables/{key}', `/projects/${id}/variables/WHO`)).body.value).toBe('world');
    expect((await call('GET', '/api/v4/projects/{id}/variables/{key}', `/projects/${id}/variables/NOPE`)).status).toBe(404);
    expect((await call('PUT', '/api/v4/projects/{id}/variables/{key}', `/projects/${id}/variables/WHO`, asRoot({ value: 'there', protected: true }))).body.protected).toBe(true);
    expect((await call('PUT', '/api/v4/projects/{id}/variables/{key}', `/projects/${id}/variables/WHO`, asRoot({ variable_type: 'nope' }))).status).toBe(400);
    expect((await call('DELETE', '/api/v4/projects/{id}/variables/{key}', `/projects/${id}/variables/HIDDEN`)).status).toBe(204);
    expect((await call('DELETE', '/api/v4/projects/{id}/variables/{key}', `/projects/${id}/variables/HIDDEN`)).status).toBe(404);

    const trigger = await call('POST', '/api/v4/projects/{id}/triggers', `/projects/${id}/triggers`, asRoot({ description: 'deploy' }));
    expect([trigger.status, trigger.body.token]).toEqual([201, expect.stringMatching(/^glptt-/)]);
    expect((await call('POST', '/api/v4/projects/{id}/triggers', `/projects/${id}/triggers`, asRoot({}))).status).toBe(400);
    expect((await call('GET', '/api/v4/projects/{id}/triggers', `/projects/${id}/triggers`)).body[0].owner.username).toBe('root');
    expect((await call('GET', '/api/v4/projects/{id}/triggers/{trigger_id}', `/projects/${id}/triggers/${trigger.body.id}`)).body.description).toBe('deploy');
    expect((await call('GET', '/api/v4/projects/{id}/triggers/{trigger_id}', `/projects/${id}/triggers/99999`)).status).toBe(404);
    const triggered = await call('POST', '/api/v4/projects/{id}/trigger/pipeline', `/projects/${id}/trigger/pipeline`, { json: { token: trigger.body.token, ref: 'main', variables: { WHO: 'trigger' } } });
    expect([triggered.status, triggered.body.source]).toEqual([201, 'trigger']);
    expect((await call('POST', '/api/v4/projects/{id}/trigger/pipeline', `/projects/${id}/trigger/pipeline`, { json: { token: 'glptt-nope', ref: 'main' } })).status).toBe(404);
    expect((await call('POST', '/api/v4/projects/{id}/trigger/pipeline', `/projects/${id}/trigger/pipeline`, { json: { token: trigger.body.token } })).status).toBe(400);
    expect((await call('DELETE', '/api/v4/projects/{id}/triggers/{trigger_id}', `/projects/${id}/triggers/${trigger.body.id}`)).status).toBe(204);
    expect((await call('DELETE', '/api/v4/projects/{id}/triggers/{trigger_id}', `/projects/${id}/triggers/${trigger.body.id}`)).status).toBe(404);

    const created = await call('POST', '/api/v4/projects/{id}/pipeline_schedules', `/projects/${id}/pipeline_schedules`, asRoot({ description: 'nightly', ref: 'main', cron: '0 3 * * *' }));
    expect([created.status, created.body.cron_timezone, created.body.variables]).toEqual([201, 'UTC', []]);
    const scheduleId: number = created.body.id;
    expect((await call('POST', '/api/v4/projects/{id}/pipeline_schedules', `/projects/${id}/pipeline_schedules`, asRoot({ description: 'x', ref: 'main' }))).status).toBe(400);
    expect((await call('GET', '/api/v4/projects/{id}/pipeline_schedules', `/projects/${id}/pipeline_schedules?scope=active`)).body).toHaveLength(1);
    expect((await call('GET', '/api/v4/projects/{id}/pipeline_schedules', `/projects/${id}/pipeline_schedules?scope=nope`)).status).toBe(400);
    const schedule = `/projects/${id}/pipeline_schedules/${scheduleId}`;
    expect((await call('PUT', '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}', schedule, asRoot({ cron: '0 4 * * *' }))).body.cron).toBe('0 4 * * *');
    expect((await call('PUT', '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}', schedule, asRoot({ active: 'maybe' }))).status).toBe(400);
    expect((await call('POST', '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}/play', `${schedule}/play`)).body).toEqual({ message: '201 Created' });
    expect((await call('POST', '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}/play', `${schedule}/play`, {})).status).toBe(401);
    expect((await call('GET', '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}', schedule)).body.last_pipeline).not.toBeNull();
    expect((await call('GET', '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}', `/projects/${id}/pipeline_schedules/99999`)).status).toBe(404);
    expect((await call('DELETE', '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}', schedule)).status).toBe(204);
    expect((await call('DELETE', '/api/v4/projects/{id}/pipeline_schedules/{pipeline_schedule_id}', schedule)).status).toBe(404);

    expect((await call('GET', '/api/v4/users', '/users?username=root')).body[0].is_admin).toBe(true);
    expect((await call('GET', '/api/v4/users', '/users?order_by=nope')).status).toBe(400);
    expect((await call('GET', '/api/v4/users', '/users?admins=true', {})).status).toBe(403);

    const registered = await http(server, 'POST', '/api/v4/runners', { json: { token: project.body.runners_token, description: 'ci runner' } });
    expect(registered.status).toBe(201);
    expect((await call('GET', '/api/v4/runners', '/runners')).body.map((runner: { id: number }) => runner.id)).toContain(registered.body.id);
    expect((await call('GET', '/api/v4/runners', '/runners?scope=nope')).status).toBe(400);
    expect((await call('GET', '/api/v4/runners', '/runners', {})).status).toBe(401);
    const all = (await call('GET', '/api/v4/runners/all', '/runners/all?type=project_type')).body;
    expect(all.find((runner: { id: number }) => runner.id === registered.body.id).status).toBe('never_contacted');
    expect((await call('GET', '/api/v4/runners/all', '/runners/all?status=nope')).status).toBe(400);
    expect((await call('GET', '/api/v4/runners/all', '/runners/all', {})).status).toBe(401);
  });

  it("documents the job token's own job and the artifacts by ref", async () => {
    const project = await call('POST', '/api/v4/projects', '/projects', asRoot({ name: 'by-ref' }));
    const id: number = project.body.id;
    const ci = 'build:\n  script: [echo building]\n  artifacts:\n    paths: [out/]\n';
    expect((await http(server, 'POST', `/api/v4/projects/${id}/repository/files/.gitlab-ci.yml`, asRoot({ branch: 'main', content: ci, commit_message: 'ci' }))).status).toBe(201);
    const runner = (await http(server, 'POST', '/api/v4/runners', { json: { token: project.body.runners_token } })).body.token;
    const pipeline = await http(server, 'POST', `/api/v4/projects/${id}/pipeline`, asRoot({ ref: 'main' }));
    expect(pipeline.status).toBe(201);
    const taken = await http(server, 'POST', '/api/v4/jobs/request', { json: { token: runner, info: { name: 'gitlab-runner', version: '17.5.0', executor: 'shell' } } });
    expect(taken.status).toBe(201);
    const job = { id: taken.body.id as number, token: taken.body.token as string, projectId: id, pipelineId: pipeline.body.id as number };
    expect((await http(server, 'PUT', `/api/v4/jobs/${job.id}`, { json: { token: job.token, state: 'running' } })).status).toBe(200);
    expect((await call('GET', '/api/v4/job', '/job', { jobToken: job.token })).body.id).toBe(job.id);
    expect((await uploadViaAuthorize(server, job, await makeZip({ 'out/result.txt': 'built' }))).status).toBe(201);
    expect((await http(server, 'PUT', `/api/v4/jobs/${job.id}`, { json: { token: job.token, state: 'success' } })).status).toBe(200);
    expect((await call('GET', '/api/v4/job', '/job', { jobToken: job.token })).status).toBe(401); // a finished job's token is spent

    // The download by ref redirects to the archive; fetch must not follow, to see the answer itself.
    const byRef = `/api/v4/projects/${id}/jobs/artifacts/main/download?job=build`;
    const redirected = await readResponse(await fetch(`${server.url}${byRef}`, { headers: { 'PRIVATE-TOKEN': server.root }, redirect: 'manual' }));
    expect(answers.check('GET', '/api/v4/projects/{id}/jobs/artifacts/{ref_name}/download', redirected).status).toBe(302);
    expect(redirected.headers.get('Location')).toBeTruthy();
    expect((await call('GET', '/api/v4/projects/{id}/jobs/artifacts/{ref_name}/download', `/projects/${id}/jobs/artifacts/main/download?job=nope`)).status).toBe(404);
    expect((await call('GET', '/api/v4/projects/{id}/jobs/artifacts/{ref_name}/download', `/projects/${id}/jobs/artifacts/main/download`)).status).toBe(400);
    const raw = `/projects/${id}/jobs/artifacts/main/raw/out/result.txt?job=build`;
    expect((await call('GET', '/api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path}', raw)).text).toBe('built');
    expect((await call('GET', '/api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path}', raw.replace('result', 'missing'))).status).toBe(404);
  });

  it('calls every documented operation', () => {
    expect(answers.unexercised()).toEqual([]);
  });
});
