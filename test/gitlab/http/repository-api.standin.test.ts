import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { BlobReader, ZipReader } from '@zip.js/zip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, http, makeUser, startGitLab, type GitLabServer } from '../../support/gitlab';
import { cleanup, gitOk, remoteUrl, scratchDir } from '../../support/git-cli';

/**
 * The repository endpoints as gitbeaker drives them, against one project: a commit of several
 * actions, the log and one commit with its diff, branches (list, search, keyset pages, create,
 * delete), the tree, compare; and the real git CLI seeing what the API wrote and the other way round.
 */
let server: GitLabServer;
let projectId: number;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  server = await startGitLab();
  api = client(server, server.root);
  const project = await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'repo' } });
  projectId = project.body.id;
});

afterAll(async () => {
  await server?.stop();
  await cleanup();
});

describe('commits', () => {
  it('creates one commit from several actions, and reads it back with stats, diff and refs', async () => {
    const first = await api.Commits.create(projectId, 'main', 'initial', [
      { action: 'create', filePath: 'README.md', content: 'hello\n' },
      { action: 'create', filePath: 'src/app.js', content: 'console.log(1);\n' },
      { action: 'create', filePath: 'bin/run.sh', content: Buffer.from('#!/bin/sh\necho run\n').toString('base64'), encoding: 'base64' },
    ]);
    expect(first.title).toBe('initial');
    expect(first.parent_ids).toEqual([]);
    expect(first.stats).toEqual({ additions: 4, deletions: 0, total: 4 });
    expect(first.project_id).toBe(projectId);
    expect(first.last_pipeline).toBeNull();

    const second = await api.Commits.create(projectId, 'main', 'rework\n\nbody', [
      { action: 'update', filePath: 'README.md', content: 'hello\nworld\n' },
      { action: 'move', filePath: 'lib/app.js', previousPath: 'src/app.js' },
      { action: 'chmod', filePath: 'bin/run.sh', execute_filemode: true },
      { action: 'delete', filePath: 'bin/run.sh' },
      { action: 'create', filePath: 'bin/run.sh', content: 'new\n' },
    ]);
    expect(second.parent_ids).toEqual([first.id]);
    expect(second.title).toBe('rework');
    expect(second.message).toBe('rework\n\nbody\n');

    const diff = await api.Commits.showDiff(projectId, second.id);
    const byPath = Object.fromEntries(diff.map((entry) => [entry.new_path, entry]));
    expect(byPath['README.md']).toMatchObject({ diff: '@@ -1 +1,2 @@\n hello\n+world\n', old_path: 'README.md', a_mode: '100644', b_mode: '100644', new_file: false, renamed_file: false, deleted_file: false });
    expect(byPath['lib/app.js']).toMatchObject({ old_path: 'src/app.js', renamed_file: true, diff: '' });
    expect(byPath['bin/run.sh']).toMatchObject({ diff: '@@ -1,2 +1 @@\n-#!/bin/sh\n-echo run\n+new\n' });
    expect(Object.keys(diff[0])).toEqual(['diff', 'collapsed', 'too_large', 'new_path', 'old_path', 'a_mode', 'b_mode', 'new_file', 'renamed_file', 'deleted_file', 'generated_file']);

    const shown = await api.Commits.show(projectId, 'main');
    expect(shown.id).toBe(second.id);
    expect(shown.stats).toEqual({ additions: 2, deletions: 2, total: 4 });
    expect((await api.Commits.show(projectId, second.id.slice(0, 10), { stats: false })).stats).toBeUndefined();

    const refs = await api.Commits.allReferences(projectId, first.id);
    expect(refs).toEqual([{ type: 'branch', name: 'main' }]);
  });

  it('lists the log of a ref, newest first, by path, with stats, in pages without totals', async () => {
    const all = await api.Commits.all(projectId, { refName: 'main' });
    expect(all.map((commit) => commit.title)).toEqual(['rework', 'initial']);
    const byPath = await api.Commits.all(projectId, { path: 'lib/app.js' });
    expect(byPath.map((commit) => commit.title)).toEqual(['rework']);
    const withStats = await api.Commits.all(projectId, { withStats: true });
    expect(withStats[1].stats).toEqual({ additions: 4, deletions: 0, total: 4 });

    const page = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/commits?per_page=1`, { token: server.root });
    expect(page.body).toHaveLength(1);
    expect(page.headers.get('x-next-page')).toBe('2');
    expect(page.headers.get('x-total')).toBeNull();
    const last = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/commits?per_page=1&page=2`, { token: server.root });
    expect(last.body[0].title).toBe('initial');
    const beyond = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/commits?per_page=1&page=3`, { token: server.root });
    expect(beyond.body).toEqual([]);
    expect(beyond.headers.get('x-next-page')).toBe('');

    const future = await api.Commits.all(projectId, { since: '2999-01-01T00:00:00Z' });
    expect(future).toEqual([]);
    const bad = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/commits?since=yesterday`, { token: server.root });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'since is invalid' });
  });

  it('refuses actions as GitLab does', async () => {
    const post = (json: unknown) => http(server, 'POST', `/api/v4/projects/${projectId}/repository/commits`, { token: server.root, json });
    expect((await post({ branch: 'main', commit_message: 'x', actions: [{ action: 'create', file_path: 'README.md', content: 'x' }] })).body).toEqual({ message: 'A file with this name already exists' });
    expect((await post({ branch: 'main', commit_message: 'x', actions: [{ action: 'delete', file_path: 'nope' }] })).body).toEqual({ message: "A file with this name doesn't exist" });
    expect((await post({ branch: 'main', commit_message: 'x', actions: [{ action: 'explode', file_path: 'a' }] })).body).toEqual({ error: 'actions[0][action] does not have a valid value' });
    expect((await post({ branch: 'main', commit_message: 'x', actions: [{ action: 'update', file_path: 'a' }] })).body).toEqual({ error: 'actions[0][content] is missing' });
    expect((await post({ branch: 'nowhere', commit_message: 'x', actions: [{ action: 'create', file_path: 'a' }] })).body).toEqual({ message: 'You can only create or edit files when you are on a branch' });
    expect((await post({ branch: 'main', commit_message: 'x', actions: [{ action: 'create', file_path: '../a' }] })).body).toEqual({ message: 'Path cannot include directory traversal' });
    const stale = await post({ branch: 'main', commit_message: 'x', actions: [{ action: 'update', file_path: 'README.md', content: 'y', last_commit_id: 'f'.repeat(40) }] });
    expect(stale.body).toEqual({ message: 'The file has changed since you started editing it: README.md' });
    const missing = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/commits/${'a'.repeat(40)}`, { token: server.root });
    expect([missing.status, missing.body]).toEqual([404, { message: '404 Commit Not Found' }]);
  });
});

describe('branches', () => {
  it('creates, finds, lists, pages and deletes branches; URL-encoded names with slashes', async () => {
    const created = await api.Branches.create(projectId, 'feature/one', 'main');
    expect(created).toMatchObject({ name: 'feature/one', merged: false, protected: false, developers_can_push: false, developers_can_merge: false, can_push: true, default: false });
    expect(created.web_url).toMatch(/\/root\/repo\/-\/tree\/feature\/one$/);
    expect(Object.keys(created)).toEqual(['name', 'commit', 'merged', 'protected', 'developers_can_push', 'developers_can_merge', 'can_push', 'default', 'web_url']);
    await api.Commits.create(projectId, 'feature/two', 'two', [{ action: 'create', filePath: 'two.txt', content: '2' }], { startBranch: 'main' });
    const shown = await api.Branches.show(projectId, 'feature/one');
    expect(shown.commit.id).toBe((await api.Commits.show(projectId, 'main')).id);
    const main = await api.Branches.show(projectId, 'main');
    expect(main).toMatchObject({ default: true, protected: true, merged: false });

    expect((await api.Branches.all(projectId)).map((branch) => branch.name)).toEqual(['feature/one', 'feature/two', 'main']);
    expect((await api.Branches.all(projectId, { search: 'feature' })).map((branch) => branch.name)).toEqual(['feature/one', 'feature/two']);
    expect((await api.Branches.all(projectId, { search: '^ma' })).map((branch) => branch.name)).toEqual(['main']);
    expect((await api.Branches.all(projectId, { regex: 'two$' })).map((branch) => branch.name)).toEqual(['feature/two']);

    const offset = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/branches?per_page=2`, { token: server.root });
    expect(offset.headers.get('x-total')).toBe('3');
    expect(offset.headers.get('x-total-pages')).toBe('2');
    expect(offset.headers.get('x-next-page')).toBe('2');
    const keyset = await api.Branches.all(projectId, { pagination: 'keyset', perPage: 1, orderBy: 'name' } as never);
    expect(keyset.map((branch) => branch.name)).toEqual(['feature/one', 'feature/two', 'main']);
    const firstKeyset = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/branches?pagination=keyset&per_page=2`, { token: server.root });
    expect(firstKeyset.headers.get('link')).toMatch(/page_token=feature%2Ftwo.*rel="next"/);

    const head = await fetch(`${server.url}/api/v4/projects/${projectId}/repository/branches/feature%2Fone`, { method: 'HEAD', headers: { 'PRIVATE-TOKEN': server.root } });
    expect(head.status).toBe(204);
    const headMissing = await fetch(`${server.url}/api/v4/projects/${projectId}/repository/branches/nope`, { method: 'HEAD', headers: { 'PRIVATE-TOKEN': server.root } });
    expect(headMissing.status).toBe(404);

    const again = await http(server, 'POST', `/api/v4/projects/${projectId}/repository/branches`, { token: server.root, json: { branch: 'feature/one', ref: 'main' } });
    expect([again.status, again.body]).toEqual([400, { message: 'Branch already exists' }]);
    const badRef = await http(server, 'POST', `/api/v4/projects/${projectId}/repository/branches`, { token: server.root, json: { branch: 'x', ref: 'nothing' } });
    expect(badRef.body).toEqual({ message: 'Invalid reference name: nothing' });
    const badName = await http(server, 'POST', `/api/v4/projects/${projectId}/repository/branches`, { token: server.root, json: { branch: 'a..b', ref: 'main' } });
    expect(badName.body).toEqual({ message: 'Branch name is invalid' });
    const blank = await http(server, 'POST', `/api/v4/projects/${projectId}/repository/branches`, { token: server.root, json: { branch: '', ref: 'main' } });
    expect(blank.body).toEqual({ error: 'branch is empty' });

    const oldest = (await api.Commits.all(projectId)).at(-1)!.id;
    expect(await api.Branches.create(projectId, 'old', oldest)).toMatchObject({ name: 'old', merged: true });
    expect((await api.Branches.show(projectId, 'feature/two')).merged).toBe(false);
    await api.Branches.remove(projectId, 'old');
    await api.Branches.remove(projectId, 'feature/one');
    const gone = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/branches/feature%2Fone`, { token: server.root });
    expect([gone.status, gone.body]).toEqual([404, { message: '404 Branch Not Found' }]);
    const defaultBranch = await http(server, 'DELETE', `/api/v4/projects/${projectId}/repository/branches/main`, { token: server.root });
    expect([defaultBranch.status, defaultBranch.body]).toEqual([400, { message: 'The default branch of a project cannot be deleted.' }]);
    const invalid = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/branches/a..b`, { token: server.root });
    expect([invalid.status, invalid.body]).toEqual([400, { message: 'The branch refname is invalid' }]);
  });

  it('lets a developer push to other branches and not to the protected default branch; a reporter only reads', async () => {
    const developer = await makeUser(server, 'dev');
    const reporter = await makeUser(server, 'rep');
    await http(server, 'POST', `/api/v4/projects/${projectId}/members`, { token: server.root, json: { user_id: developer.id, access_level: 30 } });
    await http(server, 'POST', `/api/v4/projects/${projectId}/members`, { token: server.root, json: { user_id: reporter.id, access_level: 20 } });
    const write = (token: string, branch: string) =>
      http(server, 'POST', `/api/v4/projects/${projectId}/repository/commits`, { token, json: { branch, start_branch: 'main', commit_message: 'dev', actions: [{ action: 'create', file_path: `${branch}.txt` }] } });
    expect((await write(developer.token, 'main')).body).toEqual({ message: '403 Forbidden - You are not allowed to push into this branch' });
    expect((await write(developer.token, 'dev-branch')).status).toBe(201);
    expect((await write(reporter.token, 'rep-branch')).status).toBe(403);
    const devView = await client(server, developer.token).Branches.show(projectId, 'main');
    expect(devView.can_push).toBe(false);
    expect((await client(server, reporter.token).Commits.all(projectId)).length).toBeGreaterThan(0);
    const removed = await http(server, 'DELETE', `/api/v4/projects/${projectId}/repository/branches/dev-branch`, { token: reporter.token });
    expect([removed.status, removed.body]).toEqual([403, { message: '403 Forbidden' }]);
  });
});

describe('tree and compare', () => {
  it('lists the tree, directories first, recursively, by path, in offset and keyset pages', async () => {
    const root = await api.Repositories.allRepositoryTrees(projectId, { ref: 'main' });
    expect(root.map((item) => `${item.type}:${item.path}`)).toEqual(['tree:bin', 'tree:lib', 'blob:README.md']);
    expect(root[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{40}$/), name: 'bin', type: 'tree', path: 'bin', mode: '040000' });
    const recursive = await api.Repositories.allRepositoryTrees(projectId, { recursive: true });
    expect(recursive.map((item) => item.path)).toEqual(['bin', 'lib', 'README.md', 'bin/run.sh', 'lib/app.js']);
    const sub = await api.Repositories.allRepositoryTrees(projectId, { path: 'lib' });
    expect(sub.map((item) => item.path)).toEqual(['lib/app.js']);
    const keyset = await api.Repositories.allRepositoryTrees(projectId, { recursive: true, pagination: 'keyset', perPage: 2 });
    expect(keyset.map((item) => item.path)).toEqual(recursive.map((item) => item.path));
    const paged = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/tree?recursive=true&per_page=2&page=2`, { token: server.root });
    expect(paged.body.map((item: { path: string }) => item.path)).toEqual(['README.md', 'bin/run.sh']);
    expect(paged.headers.get('x-total')).toBe('5');
    const missing = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/tree?ref=nothing`, { token: server.root });
    expect([missing.status, missing.body]).toEqual([404, { message: '404 Tree Not Found' }]);
    const none = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/tree?pagination=none`, { token: server.root });
    expect(none.body).toEqual({ error: 'pagination cannot be "none" unless "recursive" is true' });
  });

  it('compares two refs through their merge base, or straight', async () => {
    const compare = await api.Repositories.compare(projectId, 'main', 'feature/two');
    expect(compare.commits!.map((commit) => commit.title)).toEqual(['two']);
    expect(compare.commit?.title).toBe('two');
    expect(compare.diffs!.map((diff) => [diff.new_path, diff.new_file])).toEqual([['two.txt', true]]);
    expect(compare.diffs![0].diff).toBe('@@ -0,0 +1 @@\n+2\n\\ No newline at end of file\n');
    expect(compare.compare_same_ref).toBe(false);
    expect(compare.compare_timeout).toBe(false);
    const back = await api.Repositories.compare(projectId, 'feature/two', 'main', { straight: true });
    expect(back.diffs!.map((diff) => [diff.new_path, diff.deleted_file])).toEqual(expect.arrayContaining([['two.txt', true]]));
    const same = await api.Repositories.compare(projectId, 'main', 'main');
    expect([same.compare_same_ref, same.commits, same.commit]).toEqual([true, [], null]);
    const unknown = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/compare?from=main&to=nothing`, { token: server.root });
    expect([unknown.status, unknown.body]).toEqual([404, { message: '404 Ref Not Found' }]);
  });
});

describe('tags', () => {
  it('creates lightweight and annotated tags, lists, shows and deletes them', async () => {
    const head = (await api.Commits.show(projectId, 'main')).id;
    const light = await api.Tags.create(projectId, 'v1.9', 'main');
    expect(light).toMatchObject({ name: 'v1.9', message: '', target: head, release: null, protected: false, created_at: null });
    expect(light.commit.id).toBe(head);
    expect(Object.keys(light)).toEqual(['name', 'message', 'target', 'commit', 'release', 'protected', 'created_at']);
    const annotated = await api.Tags.create(projectId, 'v1.10', head, { message: 'release 1.10' });
    expect(annotated.message).toBe('release 1.10');
    expect(annotated.target).not.toBe(head);
    expect(annotated.commit.id).toBe(head);
    expect(annotated.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await api.Tags.all(projectId, { orderBy: 'version', sort: 'asc' })).map((tag) => tag.name)).toEqual(['v1.9', 'v1.10']);
    expect((await api.Tags.all(projectId, { orderBy: 'name', sort: 'asc' })).map((tag) => tag.name)).toEqual(['v1.10', 'v1.9']);
    expect((await api.Tags.all(projectId, { search: '^v1.1' })).map((tag) => tag.name)).toEqual(['v1.10']);
    expect((await api.Tags.show(projectId, 'v1.10')).target).toBe(annotated.target);
    const again = await http(server, 'POST', `/api/v4/projects/${projectId}/repository/tags`, { token: server.root, json: { tag_name: 'v1.9', ref: 'main' } });
    expect([again.status, again.body]).toEqual([400, { message: 'Tag v1.9 already exists' }]);
    const badRef = await http(server, 'POST', `/api/v4/projects/${projectId}/repository/tags`, { token: server.root, json: { tag_name: 'v2', ref: 'nothing' } });
    expect(badRef.body).toEqual({ message: 'Target nothing is invalid' });
    await api.Tags.remove(projectId, 'v1.9');
    const gone = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/tags/v1.9`, { token: server.root });
    expect([gone.status, gone.body]).toEqual([404, { message: '404 Tag Not Found' }]);
    const dir = await scratchDir();
    const remote = await gitOk(dir, ['ls-remote', '--tags', remoteUrl(server.url, 'root/repo', 'oauth2', server.root)]);
    expect(remote).toContain('refs/tags/v1.10^{}');
  });
});

describe('archives', () => {
  it('streams tar.gz, tar and zip archives of a ref or a directory', async () => {
    const head = (await api.Commits.show(projectId, 'main')).id;
    const gz = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/archive.tar.gz?sha=main`, { token: server.root });
    expect(gz.headers.get('content-disposition')).toBe(`attachment; filename="repo-main-${head}.tar.gz"`);
    const dir = await scratchDir();
    await writeFile(join(dir, 'a.tar.gz'), Buffer.from(await (await api.Repositories.showArchive(projectId, { sha: 'main' })).arrayBuffer()));
    const listing = execFileSync('tar', ['-tzvf', join(dir, 'a.tar.gz')], { encoding: 'utf8' });
    expect(listing).toMatch(new RegExp(`-rw-rw-r-- .* repo-main-${head}/bin/run.sh`));
    expect(execFileSync('tar', ['-xzOf', join(dir, 'a.tar.gz'), `repo-main-${head}/README.md`], { encoding: 'utf8' })).toBe('hello\nworld\n');
    const tar = await fetch(`${server.url}/api/v4/projects/${projectId}/repository/archive.tar?path=lib`, { headers: { 'PRIVATE-TOKEN': server.root } });
    await writeFile(join(dir, 'b.tar'), Buffer.from(await tar.arrayBuffer()));
    expect(execFileSync('tar', ['-tf', join(dir, 'b.tar')], { encoding: 'utf8' }).split('\n').filter(Boolean)).toEqual([`repo-main-${head}-lib/`, `repo-main-${head}-lib/app.js`]);
    const zip = await api.Repositories.showArchive(projectId, { fileType: 'zip', sha: head });
    const entries = await new ZipReader(new BlobReader(zip)).getEntries();
    expect(entries.map((entry) => entry.filename).sort()).toEqual([`repo-${head}/`, `repo-${head}/README.md`, `repo-${head}/bin/run.sh`, `repo-${head}/lib/app.js`]);
    const missing = await http(server, 'GET', `/api/v4/projects/${projectId}/repository/archive.zip?sha=nothing`, { token: server.root });
    expect([missing.status, missing.body]).toEqual([404, { message: '404 File Not Found' }]);
  });
});

describe('with the git command line', () => {
  it('clones what the API committed, and the API reads what git pushed', async () => {
    const dir = await scratchDir();
    await gitOk(dir, ['clone', '-q', remoteUrl(server.url, 'root/repo', 'oauth2', server.root), 'repo']);
    const work = join(dir, 'repo');
    expect(await readFile(join(work, 'README.md'), 'utf8')).toBe('hello\nworld\n');
    expect((await gitOk(work, ['ls-files', '-s', 'bin/run.sh'])).startsWith('100644')).toBe(true);
    await gitOk(work, ['checkout', '-q', '-b', 'pushed']);
    await gitOk(work, ['mv', 'README.md', 'READ.md']);
    await gitOk(work, ['commit', '-q', '-m', 'rename by git']);
    await gitOk(work, ['push', '-q', 'origin', 'pushed']);
    const commit = await api.Commits.show(projectId, 'pushed');
    expect(commit.title).toBe('rename by git');
    expect(commit.author_name).toBe('Ada');
    const diff = await api.Commits.showDiff(projectId, 'pushed');
    expect(diff).toEqual([expect.objectContaining({ old_path: 'README.md', new_path: 'READ.md', renamed_file: true })]);
  });
});
