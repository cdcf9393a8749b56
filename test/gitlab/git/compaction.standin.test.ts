import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PACKS, sweepRetiredPacks } from '../../../shared/gitlab/git/compaction';
import { downloadPackFile } from '../../../shared/gitlab/store/pack-files';
import { readGitState } from '../../../shared/gitlab/store/git-refs';
import { http, startGitLab, type GitLabServer } from '../../support/gitlab';
import { cleanup, gitOk, remoteUrl, scratchDir } from '../../support/git-cli';

/**
 * Many small pushes: each adds a pack, and past MAX_PACKS they are rewritten as one, so the packs
 * a fetch reads stay few. Every commit is still there for a fresh clone; the replaced packs'
 * files go once no reader can still be using them.
 */
let server: GitLabServer;
let projectId: number;

beforeAll(async () => {
  server = await startGitLab();
  projectId = (await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name: 'many' } })).body.id;
});

afterAll(async () => {
  await server?.stop();
  await cleanup();
});

describe('repacking', () => {
  it('keeps the number of packs bounded across many pushes and loses nothing', async () => {
    const url = remoteUrl(server.url, 'root/many', 'oauth2', server.root);
    const dir = await scratchDir();
    await gitOk(dir, ['clone', '-q', url, 'work']);
    const work = join(dir, 'work');
    await gitOk(work, ['checkout', '-q', '-b', 'main']);
    const pushes = MAX_PACKS + 4;
    let most = 0;
    for (let i = 1; i <= pushes; i++) {
      await writeFile(join(work, `file-${i}.txt`), `content ${i}\n`);
      await gitOk(work, ['add', '.']);
      await gitOk(work, ['commit', '-q', '-m', `commit ${i}`]);
      await gitOk(work, ['push', '-q', 'origin', 'main']);
      most = Math.max(most, (await readGitState(projectId)).packs.length);
    }
    const state = await readGitState(projectId);
    expect(most).toBe(MAX_PACKS);
    expect(state.packs.length).toBeLessThan(MAX_PACKS);
    expect(state.retired.length).toBe(MAX_PACKS + 1);

    const again = await scratchDir();
    await gitOk(again, ['clone', '-q', url, 'copy']);
    const copy = join(again, 'copy');
    expect((await gitOk(copy, ['rev-list', '--count', 'HEAD'])).trim()).toBe(String(pushes));
    expect((await gitOk(copy, ['fsck', '--no-progress'])).trim()).toBe('');
    expect(await gitOk(copy, ['show', `HEAD~${pushes - 1}:file-1.txt`])).toBe('content 1\n');
    // An incremental fetch across the compaction works too.
    await writeFile(join(work, 'late.txt'), 'late\n');
    await gitOk(work, ['add', '.']);
    await gitOk(work, ['commit', '-q', '-m', 'late']);
    await gitOk(work, ['push', '-q', 'origin', 'main']);
    await gitOk(copy, ['pull', '-q', 'origin', 'main']);
    expect((await gitOk(copy, ['log', '-1', '--format=%s'])).trim()).toBe('late');
  });

  it('deletes the replaced packs only once they have been retired long enough', async () => {
    const retired = (await readGitState(projectId)).retired.map((pack) => pack.name);
    await sweepRetiredPacks(projectId);
    expect((await readGitState(projectId)).retired).toHaveLength(retired.length);
    await expect(downloadPackFile(projectId, retired[0], 'idx')).resolves.toBeInstanceOf(Buffer);
    await sweepRetiredPacks(projectId, Date.now() + 60 * 60 * 1000);
    expect((await readGitState(projectId)).retired).toEqual([]);
    await expect(downloadPackFile(projectId, retired[0], 'idx')).rejects.toThrow();
  });
});
