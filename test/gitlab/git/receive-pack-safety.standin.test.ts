import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGitState } from '../../../shared/gitlab/store/git-refs';
import { http, makeUser, startGitLab, type GitLabServer } from '../../support/gitlab';
import { cleanup, git, gitOk, remoteUrl, scratchDir } from '../../support/git-cli';

/**
 * What a push may not do: move a ref that moved meanwhile (compare-and-set, also between two
 * pushes racing), bring a truncated, corrupt or incomplete pack (nothing of it becomes visible),
 * exceed the size limit, or name a ref git would refuse.
 */
let server: GitLabServer;
let user: { id: number; token: string };
let projectId: number;
let work: string;
let base: string;

const ZERO = '0000000000000000000000000000000000000000';

function pkt(text: string): Buffer {
  return Buffer.concat([Buffer.from((Buffer.byteLength(text) + 4).toString(16).padStart(4, '0')), Buffer.from(text)]);
}

/** A receive-pack request: the commands, then the pack. */
function pushBody(commands: [string, string, string][], pack: Buffer): Buffer {
  const lines = commands.map(([old, next, ref], i) => pkt(`${old} ${next} ${ref}${i === 0 ? '\0report-status atomic' : ''}\n`));
  return Buffer.concat([...lines, Buffer.from('0000'), pack]);
}

async function receivePack(body: Buffer): Promise<string> {
  const response = await fetch(`${server.url}/ada/safe.git/git-receive-pack`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`ada:${user.token}`).toString('base64')}`, 'Content-Type': 'application/x-git-receive-pack-request' },
    body: new Uint8Array(body),
  });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer()).toString('latin1');
}

/** `git pack-objects` of what `revs` names (`<new>` and `^<old>` lines, or single objects without `--revs`). */
function packOf(revs: string[], options: { revs: boolean } = { revs: true }): Buffer {
  return execFileSync('git', ['pack-objects', '--stdout', ...(options.revs ? ['--revs'] : [])], { cwd: work, input: `${revs.join('\n')}\n`, env: { PATH: process.env.PATH, HOME: work } });
}

async function commit(message: string): Promise<string> {
  await writeFile(join(work, `${message}.txt`), `${message}\n`);
  await gitOk(work, ['add', '.']);
  await gitOk(work, ['commit', '-q', '-m', message]);
  return (await gitOk(work, ['rev-parse', 'HEAD'])).trim();
}

const remoteMain = async () => (await gitOk(work, ['ls-remote', remoteUrl(server.url, 'ada/safe', 'ada', user.token), 'refs/heads/main'])).split('\t')[0];

beforeAll(async () => {
  server = await startGitLab();
  user = await makeUser(server, 'ada');
  projectId = (await http(server, 'POST', '/api/v4/projects', { token: user.token, json: { name: 'safe' } })).body.id;
  await http(server, 'POST', `/api/v4/projects/${projectId}/repository/files/README.md`, { token: user.token, json: { branch: 'main', content: 'hello\n', commit_message: 'init' } });
  const dir = await scratchDir();
  await gitOk(dir, ['clone', '-q', remoteUrl(server.url, 'ada/safe', 'ada', user.token), 'safe']);
  work = join(dir, 'safe');
  base = (await gitOk(work, ['rev-parse', 'HEAD'])).trim();
});

afterAll(async () => {
  await server?.stop();
  await cleanup();
});

describe('receive-pack', () => {
  it('refuses a command whose old value is not the ref’s current value', async () => {
    const next = await commit('stale');
    const answer = await receivePack(pushBody([[ZERO, next, 'refs/heads/main']], packOf([next, `^${base}`])));
    expect(answer).toContain('unpack ok\n');
    expect(answer).toContain('ng refs/heads/main stale info\n');
    expect(await remoteMain()).toBe(base);
  });

  it('lets exactly one of two racing pushes from the same old value win', async () => {
    await gitOk(work, ['reset', '-q', '--hard', base]);
    const left = await commit('left');
    await gitOk(work, ['reset', '-q', '--hard', base]);
    const right = await commit('right');
    const answers = await Promise.all([
      receivePack(pushBody([[base, left, 'refs/heads/main']], packOf([left, `^${base}`]))),
      receivePack(pushBody([[base, right, 'refs/heads/main']], packOf([right, `^${base}`]))),
    ]);
    const won = answers.filter((answer) => answer.includes('ok refs/heads/main\n'));
    const lost = answers.filter((answer) => answer.includes('ng refs/heads/main stale info\n'));
    expect([won.length, lost.length]).toEqual([1, 1]);
    expect([left, right]).toContain(await remoteMain());
    base = await remoteMain();
  });

  it('refuses truncated, corrupt and incomplete packs, and none of their objects become visible', async () => {
    await gitOk(work, ['fetch', '-q', 'origin']);
    await gitOk(work, ['reset', '-q', '--hard', base]);
    const next = await commit('payload');
    const pack = packOf([next, `^${base}`]);
    const packsBefore = (await readGitState(projectId)).packs.length;

    const truncated = await receivePack(pushBody([[base, next, 'refs/heads/main']], pack.subarray(0, pack.length - 7)));
    expect(truncated).toMatch(/unpack pack checksum mismatch.*\n/);
    expect(truncated).toContain('ng refs/heads/main unpacker error\n');

    // Damage the compressed data but keep a valid trailer: the objects themselves do not read back.
    const corrupt = Buffer.from(pack);
    for (let i = 20; i < corrupt.length - 40; i += 7) corrupt[i] ^= 0x5a;
    createHash('sha1').update(corrupt.subarray(0, corrupt.length - 20)).digest().copy(corrupt, corrupt.length - 20);
    const damaged = await receivePack(pushBody([[base, next, 'refs/heads/main']], corrupt));
    expect(damaged).not.toContain('unpack ok');
    expect(damaged).toContain('ng refs/heads/main unpacker error\n');

    // The commit alone, without its tree: git's connectivity check fails.
    const incomplete = await receivePack(pushBody([[base, next, 'refs/heads/main']], packOf([next], { revs: false })));
    expect(incomplete).toMatch(/unpack missing necessary objects/);
    expect(incomplete).toContain('ng refs/heads/main unpacker error\n');

    expect(await remoteMain()).toBe(base);
    expect((await readGitState(projectId)).packs.length).toBe(packsBefore);
    const fine = await receivePack(pushBody([[base, next, 'refs/heads/main']], pack));
    expect(fine).toContain('ok refs/heads/main\n');
    base = next;
  });

  it('refuses ref names git would refuse, and GitLab’s own refs', async () => {
    for (const ref of ['refs/heads/a..b', 'refs/heads/x.lock', 'refs/heads/sp ace', 'refs/heads/-/../x', 'refs/heads/trailing/', 'refs/heads/at@{1}', 'HEAD', 'refs/pipelines/1']) {
      const answer = await receivePack(pushBody([[ZERO, base, ref]], packOf([])));
      expect(answer, ref).toMatch(new RegExp(`ng ${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (funny refname|deny updating a hidden ref)\n`));
    }
    const ok = await receivePack(pushBody([[ZERO, base, 'refs/heads/feature/ok-1.2']], packOf([])));
    expect(ok).toContain('ok refs/heads/feature/ok-1.2\n');
  });

  it('refuses a push above the size limit with a remote: message', async () => {
    process.env.GITLAB_MAX_PUSH_SIZE_MB = String(64 / 1024);
    try {
      await writeFile(join(work, 'big.bin'), randomBytes(200 * 1024));
      await gitOk(work, ['add', '.']);
      await gitOk(work, ['commit', '-q', '-m', 'big']);
      const pushed = await git(work, ['push', 'origin', 'HEAD:main']);
      expect(pushed.code).not.toBe(0);
      expect(pushed.stderr).toContain('remote: GitLab: this push is larger than the limit of 65536 bytes of this server.');
      expect(await remoteMain()).toBe(base);
    } finally {
      delete process.env.GITLAB_MAX_PUSH_SIZE_MB;
    }
  });
});
