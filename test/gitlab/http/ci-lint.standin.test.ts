import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, http, makeUser, projectWithCi, startGitLab, type GitLabServer } from '../../support/gitlab';
import { NO_JOBS_MESSAGE } from '../../../shared/gitlab/ci-config/pipeline';

/** CI Lint through gitbeaker: the same verdicts pipeline creation gives, in GitLab's shapes. */
let server: GitLabServer;
let api: InstanceType<typeof Gitlab>;
let projectId: number;

const CI = `
stages: [build, test]
.base:
  tags: [linux]
  before_script: [setup]
build:
  extends: .base
  stage: build
  script: [make]
test:
  stage: test
  script: [make test]
  needs: [build]
  environment: { name: review }
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
    - when: manual
deploy-docs:
  stage: test
  script: [deploy]
  only: [main]
`;

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  projectId = (await projectWithCi(server, 'linted', CI)).id;
  await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/ci%2Fextra.yml`, {
    token: server.root,
    json: { branch: 'main', content: 'extra:\n  script: [echo extra]\n', commit_message: 'extra [skip ci]' },
  });
});
afterAll(async () => server.stop());

describe('POST /projects/:id/ci/lint', () => {
  it('answers a static check with the merged YAML and every job as written', async () => {
    const result = await api.Lint.lint(projectId, CI, { includeJobs: true });
    expect(result).toMatchObject({ valid: true, errors: [], includes: [] });
    expect(result.warnings).toEqual([
      'jobs:test may allow multiple pipelines to run for a single action due to `rules:when` clause with no `workflow:rules` - read more: https://docs.gitlab.com/ee/ci/jobs/job_troubleshooting.html#job-may-allow-multiple-pipelines-to-run-for-a-single-action-warning',
    ]);
    expect(result.merged_yaml).toBe(
      [
        '---',
        'stages:',
        '- .pre',
        '- build',
        '- test',
        '- .post',
        '.base:',
        '  tags:',
        '  - linux',
        '  before_script:',
        '  - setup',
        'build:',
        '  tags:',
        '  - linux',
        '  before_script:',
        '  - setup',
        '  stage: build',
        '  script:',
        '  - make',
        '  extends: .base',
        'test:',
        '  stage: test',
        '  script:',
        '  - make test',
        '  needs:',
        '  - build',
        '  environment:',
        '    name: review',
        '  rules:',
        '  - if: $CI_COMMIT_BRANCH == "main"',
        '  - when: manual',
        'deploy-docs:',
        '  stage: test',
        '  script:',
        '  - deploy',
        '  only:',
        '  - main',
        '',
      ].join('\n'),
    );
    expect(result.jobs).toEqual([
      { name: 'build', stage: 'build', before_script: ['setup'], script: ['make'], after_script: [], tag_list: ['linux'], only: { refs: ['branches', 'tags'] }, except: null, environment: null, when: 'on_success', allow_failure: false, needs: null },
      { name: 'test', stage: 'test', before_script: [], script: ['make test'], after_script: [], tag_list: [], only: null, except: null, environment: 'review', when: 'on_success', allow_failure: false, needs: [{ name: 'build', artifacts: true, optional: false }] },
      { name: 'deploy-docs', stage: 'test', before_script: [], script: ['deploy'], after_script: [], tag_list: [], only: { refs: ['main'] }, except: null, environment: null, when: 'on_success', allow_failure: false, needs: null },
    ]);
    const withoutJobs = await api.Lint.lint(projectId, CI);
    expect(withoutJobs).not.toHaveProperty('jobs');
  });

  it('reports the errors pipeline creation would give, with 200', async () => {
    const broken = 'build:\n  scrpt: make\n';
    const lint = await http(server, 'POST', `/api/v4/projects/${projectId}/ci/lint`, { token: server.root, json: { content: broken } });
    expect(lint.status).toBe(200);
    expect(lint.body).toEqual({ valid: false, errors: ['jobs:build config contains unknown keys: scrpt'], warnings: [], merged_yaml: '---\nbuild:\n  scrpt: make\n', includes: [] });
    await http(server, 'PUT', `/api/v4/projects/${projectId}/repository/files/.gitlab-ci.yml`, { token: server.root, json: { branch: 'broken', start_branch: 'main', content: broken, commit_message: 'break [skip ci]' } });
    const created = await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref: 'broken' } });
    expect(created).toMatchObject({ status: 400, body: { message: { base: lint.body.errors } } });
    const yamlError = await api.Lint.lint(projectId, 'a: [');
    expect(yamlError).toMatchObject({ valid: false, errors: [expect.stringMatching(/^\(<unknown>\): /)], merged_yaml: null, includes: null });
    expect((await api.Lint.lint(projectId, '')).errors).toEqual(['Please provide content of .gitlab-ci.yml']);
  });

  it('reads local includes from the project and lists them', async () => {
    const result = await api.Lint.lint(projectId, 'include: ci/extra.yml\nown:\n  script: [x]\n', { includeJobs: true });
    expect(result.valid).toBe(true);
    expect(result.includes).toEqual([
      expect.objectContaining({ type: 'local', location: 'ci/extra.yml', context_project: 'root/linted', extra: {}, blob: expect.stringMatching(/\/root\/linted\/-\/blob\/[0-9a-f]{40}\/ci\/extra\.yml$/) }),
    ]);
    expect((result.jobs as { name: string }[]).map((job) => job.name)).toEqual(['extra', 'own']);
    const missing = await api.Lint.lint(projectId, 'include: nope.yml\nown: { script: [x] }\n');
    expect(missing).toMatchObject({ valid: false, errors: ['Local file `nope.yml` does not exist!'], merged_yaml: null });
  });

  it('simulates a push pipeline with dry_run: rules apply on the ref', async () => {
    const onMain = await api.Lint.lint(projectId, CI, { dryRun: true, includeJobs: true });
    expect(onMain.jobs).toEqual([
      { name: 'build', stage: 'build', before_script: ['setup'], script: ['make'], after_script: [], tag_list: ['linux'], environment: null, when: 'on_success', allow_failure: false },
      { name: 'test', stage: 'test', before_script: [], script: ['make test'], after_script: [], tag_list: [], environment: 'review', when: 'on_success', allow_failure: false },
      { name: 'deploy-docs', stage: 'test', before_script: [], script: ['deploy'], after_script: [], tag_list: [], environment: null, when: 'on_success', allow_failure: false },
    ]);
    await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/other.txt`, { token: server.root, json: { branch: 'feature', start_branch: 'main', content: 'x', commit_message: 'feature [skip ci]' } });
    const onFeature = await api.Lint.lint(projectId, CI, { dryRun: true, includeJobs: true, ref: 'feature' });
    expect((onFeature.jobs as { name: string; when: string; allow_failure: boolean }[]).map((job) => [job.name, job.when, job.allow_failure])).toEqual([
      ['build', 'on_success', false],
      ['test', 'manual', true],
    ]);
    const filtered = await api.Lint.lint(projectId, 'workflow:\n  rules: [{ if: $NOPE }]\njob: { script: [x] }\n', { dryRun: true });
    expect(filtered).toMatchObject({ valid: false, errors: ['Pipeline filtered out by workflow rules.'] });
    const staticOnly = await api.Lint.lint(projectId, 'workflow:\n  rules: [{ if: $NOPE }]\njob: { script: [x] }\n');
    expect(staticOnly).toMatchObject({ valid: true, errors: [] });
    const edgesOnly = 'check: { stage: .pre, script: [x] }\n';
    expect(await api.Lint.lint(projectId, edgesOnly, { dryRun: true })).toMatchObject({ valid: false, errors: [NO_JOBS_MESSAGE] });
    const edgesStatic = await api.Lint.lint(projectId, edgesOnly, { includeJobs: true });
    expect(edgesStatic).toMatchObject({ valid: true, errors: [] });
    expect((edgesStatic.jobs as { name: string }[]).map((job) => job.name)).toEqual(['check']);
    expect((await api.Lint.lint(projectId, CI, { dryRun: true, ref: 'nowhere' })).errors).toEqual(['Reference not found']);
  });

  it('needs a developer', async () => {
    const reporter = await makeUser(server, 'reporter');
    await api.ProjectMembers.add(projectId, 20, { userId: reporter.id });
    expect((await http(server, 'POST', `/api/v4/projects/${projectId}/ci/lint`, { token: reporter.token, json: { content: CI } })).status).toBe(403);
    expect((await http(server, 'POST', `/api/v4/projects/${projectId}/ci/lint`, { token: server.root, json: {} })).body).toEqual({ error: 'content is missing' });
    // Reporters read code, so they may lint the repository's file.
    expect((await client(server, reporter.token).Lint.check(projectId, {})).valid).toBe(true);
  });
});

describe('GET /projects/:id/ci/lint', () => {
  it('lints the repository’s CI file at content_ref', async () => {
    const head = await api.Lint.check(projectId, { includeJobs: true });
    expect(head.valid).toBe(true);
    expect((head.jobs as { name: string }[]).map((job) => job.name)).toEqual(['build', 'test', 'deploy-docs']);
    const broken = await api.Lint.check(projectId, { contentRef: 'broken' } as never);
    expect(broken).toMatchObject({ valid: false, errors: ['jobs:build config contains unknown keys: scrpt'] });
    const unknown = await http(server, 'GET', `/api/v4/projects/${projectId}/ci/lint?content_ref=nope`, { token: server.root });
    expect(unknown).toMatchObject({ status: 404, body: { message: '404 Commit Not Found' } });
    const both = await http(server, 'GET', `/api/v4/projects/${projectId}/ci/lint?sha=main&content_ref=main`, { token: server.root });
    expect(both).toMatchObject({ status: 400, body: { error: 'sha, content_ref are mutually exclusive' } });
    const empty = await api.Projects.create({ name: 'empty' });
    const noRepository = await http(server, 'GET', `/api/v4/projects/${empty.id}/ci/lint`, { token: server.root });
    expect(noRepository).toMatchObject({ status: 404, body: { message: '404 Repository Not Found' } });
  });
});

describe('POST /ci/lint', () => {
  it('answers the pre-16.0 shape for instance-level scripts', async () => {
    const valid = await http(server, 'POST', '/api/v4/ci/lint', { token: server.root, json: { content: 'job: { script: [x] }', include_merged_yaml: true, include_jobs: true } });
    expect(valid.body).toMatchObject({ status: 'valid', errors: [], warnings: [], includes: [], merged_yaml: '---\njob:\n  script:\n  - x\n', jobs: [expect.objectContaining({ name: 'job', stage: 'test' })] });
    const invalid = await http(server, 'POST', '/api/v4/ci/lint', { token: server.root, json: { content: 'job: { script: [x], stage: nope }' } });
    expect(invalid.body).toEqual({ status: 'invalid', errors: ['job job: chosen stage nope does not exist; available stages are .pre, build, test, deploy, .post'], warnings: [], includes: [] });
    expect((await http(server, 'POST', '/api/v4/ci/lint', { json: { content: 'x' } })).status).toBe(401);
  });
});
