import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../agent/common/logger';
import { startGitLabRunner, type GitLabRunner } from '../../../agent/gitlab-runner/runner';
import { http, startGitLab, type GitLabServer } from '../../support/gitlab';
import { cleanup, git, gitOk, remoteUrl, scratchDir } from '../../support/git-cli';

/**
 * What a team does with git and nothing else: clone with a token, commit a CI file whose job
 * reads the repository, push — a pipeline starts by itself, the built-in runner checks the code
 * out with the job token and the trace shows the file. The job token reaches its own project and
 * not another private one.
 */
let server: GitLabServer;
let runner: GitLabRunner;
let dataDir: string;
let work: string;
let projectId: number;

const CI = `
check:
  script:
    - cat data.txt
    - sh ./tools/hello.sh
    - echo "before=$CI_COMMIT_BEFORE_SHA branch=$CI_COMMIT_BRANCH tag=$CI_COMMIT_TAG source=$CI_PIPELINE_SOURCE"
    - echo "message=$CI_COMMIT_TITLE author=$CI_COMMIT_AUTHOR"
    - git ls-remote "$CI_REPOSITORY_URL" refs/heads/main | cut -c1-40
    - echo made > made.txt
    - if git push -q "$CI_REPOSITORY_URL" HEAD:refs/heads/from-job; then echo "job pushed"; else echo "job push refused"; fi
    - if git ls-remote "\${CI_SERVER_PROTOCOL}://gitlab-ci-token:\${CI_JOB_TOKEN}@\${CI_SERVER_HOST}:\${CI_SERVER_PORT}/root/secret.git"; then echo "other project readable"; else echo "other project refused"; fi
  artifacts:
    untracked: true
`;

async function pipelines(): Promise<Record<string, any>[]> {
  return (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines`, { token: server.root })).body;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function finishedJob(pipelineId: number): Promise<{ job: Record<string, any>; trace: string }> {
  const job = await waitFor('the job to finish', async () => {
    const jobs = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs`, { token: server.root })).body;
    return ['success', 'failed'].includes(jobs[0]?.status) ? jobs[0] : undefined;
  });
  const trace = (await http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}/trace`, { token: server.root })).text;
  return { job, trace };
}

beforeAll(async () => {
  server = await startGitLab();
  const project = await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'app' } });
  projectId = project.body.id;
  await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'secret' } });
  dataDir = mkdtempSync(join(tmpdir(), 'git-runner-test-'));
  runner = startGitLabRunner(
    { url: server.url, adminToken: server.root, dataDir, description: 'git test runner', tags: [], runUntagged: true, concurrent: 1, checkInterval: 0.1, updateInterval: 0.2, shell: 'bash', logLevel: 'error' },
    createLogger('error'),
  );
  await runner.ready;
  const dir = await scratchDir();
  await gitOk(dir, ['clone', '-q', remoteUrl(server.url, 'root/app', 'oauth2', server.root), 'app']);
  work = join(dir, 'app');
  await gitOk(work, ['checkout', '-q', '-b', 'main']);
});

afterAll(async () => {
  await runner?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await cleanup();
});

describe('a push', () => {
  let first: string;

  it('starts a push pipeline whose job checks the pushed code out and reads it', async () => {
    await writeFile(join(work, '.gitlab-ci.yml'), CI);
    await writeFile(join(work, 'data.txt'), 'the data file\n');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(work, 'tools')));
    await writeFile(join(work, 'tools', 'hello.sh'), 'echo "hello from the repository script"\n');
    await gitOk(work, ['add', '.']);
    await gitOk(work, ['commit', '-q', '-m', 'Add CI']);
    first = (await gitOk(work, ['rev-parse', 'HEAD'])).trim();
    await gitOk(work, ['push', '-q', 'origin', 'main']);

    const [pipeline] = await waitFor('a pipeline', async () => ((await pipelines()).length > 0 ? pipelines() : undefined));
    expect(pipeline).toMatchObject({ sha: first, ref: 'main', source: 'push' });
    const { job, trace } = await finishedJob(pipeline.id);
    expect(job.status, trace).toBe('success');
    expect(trace).toContain('the data file\n');
    expect(trace).toContain('hello from the repository script\n');
    expect(trace).toContain(`before=0000000000000000000000000000000000000000 branch=main tag= source=push`);
    expect(trace).toContain('message=Add CI author=Ada <ada@example.com>');
    expect(trace).toContain(`\n${first}\n`);
    expect(trace).toContain('\nother project refused\n');
    expect(trace).not.toContain('\nother project readable\n');
    expect(trace).toContain('remote: You are not allowed to push code to this project.');
    expect(trace).toContain('\njob push refused\n');
    // artifacts:untracked takes what git does not track, not the checked-out files.
    const artifact = (path: string) => http(server, 'GET', `/api/v4/projects/${projectId}/jobs/${job.id}/artifacts/${path}`, { token: server.root });
    expect((await artifact('made.txt')).text).toBe('made\n');
    expect((await artifact('data.txt')).status).toBe(404);
  });

  it('passes the previous head as CI_COMMIT_BEFORE_SHA, and fetches into the kept checkout', async () => {
    await writeFile(join(work, 'data.txt'), 'changed data\n');
    await gitOk(work, ['commit', '-q', '-am', 'Change data']);
    await gitOk(work, ['push', '-q', 'origin', 'main']);
    const pipeline = await waitFor('a second pipeline', async () => (await pipelines()).find((candidate) => candidate.sha !== first));
    const { job, trace } = await finishedJob(pipeline.id);
    expect(job.status, trace).toBe('success');
    expect(trace).toContain('changed data\n');
    expect(trace).toContain(`before=${first} branch=main`);
    expect(trace).toContain('Reinitialized existing Git repository');
  });

  it('skips CI for [ci skip] and -o ci.skip, and starts a tag pipeline for a tag', async () => {
    const before = (await pipelines()).length;
    await gitOk(work, ['commit', '-q', '--allow-empty', '-m', 'Docs only [ci skip]']);
    await gitOk(work, ['push', '-q', 'origin', 'main']);
    await gitOk(work, ['commit', '-q', '--allow-empty', '-m', 'Quiet']);
    await gitOk(work, ['push', '-q', '-o', 'ci.skip', 'origin', 'main']);
    await gitOk(work, ['tag', 'v1.2.0']);
    await gitOk(work, ['push', '-q', 'origin', 'v1.2.0']);
    const tagPipeline = await waitFor('the tag pipeline', async () => (await pipelines()).find((candidate) => candidate.ref === 'v1.2.0'));
    expect((await pipelines()).length).toBe(before + 1);
    const detail = await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${tagPipeline.id}`, { token: server.root });
    expect(detail.body).toMatchObject({ tag: true, source: 'push', ref: 'v1.2.0' });
    const { job, trace } = await finishedJob(tagPipeline.id);
    expect(job.status, trace).toBe('success');
    expect(trace).toContain('branch= tag=v1.2.0 source=push');
  });

  it('challenges clients without credentials or with an unknown job token', async () => {
    const dir = await scratchDir();
    const anonymous = await git(dir, ['ls-remote', remoteUrl(server.url, 'root/secret')]);
    expect(anonymous.code).not.toBe(0);
    const notAToken = await git(dir, ['ls-remote', remoteUrl(server.url, 'root/app', 'gitlab-ci-token', 'glcbt-nope')]);
    expect(notAToken.stderr).toContain('HTTP Basic: Access denied');
  });
});
