import { join } from 'node:path';
import { writeFile, mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, http, startGitLab, type GitLabServer } from '../../support/gitlab';
import { cleanup, gitOk, remoteUrl, scratchDir } from '../../support/git-cli';

/**
 * `rules:changes` (and `only:changes`, `compare_to`) against what a push really changed: commits
 * made through the API and with git start push pipelines whose jobs depend on the changed paths;
 * a new branch, or a pipeline made by the API, has no push range, so every `changes` holds.
 */
let server: GitLabServer;
let projectId: number;
let api: ReturnType<typeof client>;

const CI = `
docs:
  script: echo docs
  rules:
    - changes: ["docs/**/*"]
app:
  script: echo app
  rules:
    - changes:
        paths: ["$SOURCE_DIR/*.js"]
always:
  script: echo always
since-main:
  script: echo since
  rules:
    - changes:
        paths: [feature.txt]
        compare_to: refs/heads/main
legacy:
  script: echo legacy
  only:
    changes: [src/*]
variables:
  SOURCE_DIR: src
`;

async function jobsOfLatest(ref: string): Promise<string[]> {
  const pipelines = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines?ref=${encodeURIComponent(ref)}`, { token: server.root })).body;
  const jobs = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${pipelines[0].id}/jobs`, { token: server.root })).body;
  return jobs.map((job: { name: string }) => job.name).sort();
}

async function pipelineCount(): Promise<number> {
  return (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines`, { token: server.root })).body.length;
}

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  projectId = (await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'changes' } })).body.id;
});

afterAll(async () => {
  await server?.stop();
  await cleanup();
});

describe('rules:changes', () => {
  it('holds for every job on the first push of a branch', async () => {
    await api.Commits.create(projectId, 'main', 'ci', [
      { action: 'create', filePath: '.gitlab-ci.yml', content: CI },
      { action: 'create', filePath: 'README.md', content: 'hi' },
    ]);
    expect(await pipelineCount()).toBe(1);
    const pipeline = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines`, { token: server.root })).body[0];
    expect(pipeline.source).toBe('push');
    // compare_to main from main itself: nothing changed since the merge base.
    expect(await jobsOfLatest('main')).toEqual(['always', 'app', 'docs', 'legacy']);
  });

  it('follows the paths a commit through the API changed', async () => {
    await api.Commits.create(projectId, 'main', 'docs', [{ action: 'create', filePath: 'docs/guide/intro.md', content: 'intro' }]);
    expect(await jobsOfLatest('main')).toEqual(['always', 'docs']);
    await api.Commits.create(projectId, 'main', 'code', [{ action: 'create', filePath: 'src/app.js', content: 'x' }]);
    expect(await jobsOfLatest('main')).toEqual(['always', 'app', 'legacy']);
  });

  it('compares a new branch with compare_to', async () => {
    await api.Commits.create(projectId, 'feature', 'feature', [{ action: 'create', filePath: 'feature.txt', content: 'f' }], { startBranch: 'main' });
    expect(await jobsOfLatest('feature')).toEqual(['always', 'app', 'docs', 'legacy', 'since-main']);
  });

  it('follows the paths a git push changed, across several commits', async () => {
    const dir = await scratchDir();
    await gitOk(dir, ['clone', '-q', remoteUrl(server.url, 'root/changes', 'oauth2', server.root), 'work']);
    const work = join(dir, 'work');
    await mkdir(join(work, 'docs'), { recursive: true });
    await writeFile(join(work, 'docs', 'a.md'), 'a');
    await gitOk(work, ['add', '.']);
    await gitOk(work, ['commit', '-q', '-m', 'one']);
    await writeFile(join(work, 'notes.txt'), 'n');
    await gitOk(work, ['add', '.']);
    await gitOk(work, ['commit', '-q', '-m', 'two']);
    const before = await pipelineCount();
    await gitOk(work, ['push', '-q', 'origin', 'main']);
    expect(await pipelineCount()).toBe(before + 1);
    expect(await jobsOfLatest('main')).toEqual(['always', 'docs']);
  });

  it('holds for every job of a pipeline made through the API', async () => {
    const created = await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref: 'main' } });
    expect(created.status).toBe(201);
    const jobs = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${created.body.id}/jobs`, { token: server.root })).body;
    expect(jobs.map((job: { name: string }) => job.name).sort()).toEqual(['always', 'app', 'docs', 'legacy']);
  });

  it('starts a tag pipeline for a tag made through the API', async () => {
    await api.Tags.create(projectId, 'v1', 'main');
    const listed = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines?ref=v1`, { token: server.root })).body[0];
    const pipeline = (await http(server, 'GET', `/api/v4/projects/${projectId}/pipelines/${listed.id}`, { token: server.root })).body;
    expect([pipeline.tag, pipeline.source]).toEqual([true, 'push']);
    expect(await jobsOfLatest('v1')).toEqual(['always', 'app', 'docs', 'legacy']);
  });

  it('refuses a compare_to that names no commit, as GitLab words it', async () => {
    await api.Commits.create(projectId, 'bad', 'bad ci', [{ action: 'update', filePath: '.gitlab-ci.yml', content: CI.replace('refs/heads/main', 'nothing-here') }], { startBranch: 'main' });
    const created = await http(server, 'POST', `/api/v4/projects/${projectId}/pipeline`, { token: server.root, json: { ref: 'bad' } });
    expect([created.status, created.body]).toEqual([400, { message: { base: ['Failed to parse rule for since-main: rules:changes:compare_to is not a valid ref'] } }]);
  });
});
