/**
 * `git clone` of a repository of 1,000 files and 100 commits from a project served by jobplane's
 * smart HTTP (packs in the S3 stand-in, refs in DynamoDB Local), against `git clone` of the same
 * repository from a local bare repository served by `git http-backend`, measured in the same run:
 * full clones and `--depth 50` clones (as gitlab-runner fetches), median of the rounds.
 *
 *   npm run bench -- git-clone
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { app } from '../shared/http/app';
import { freePort } from '../infra/local/stand-ins';
import { benchStack } from './stack';
import { median } from './median';

const FILES = 1_000;
const COMMITS = 100;
const ROUNDS = 5;

const scratch = mkdtempSync(join(tmpdir(), 'jobplane-git-bench-'));
const gitEnv = { PATH: process.env.PATH!, HOME: scratch, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, maxBuffer: 256 * 1024 * 1024 }).toString();
// The API serves from this process: git talking to it must not block the event loop.
const gitAsync = (cwd: string, ...args: string[]) => promisify(execFile)('git', args, { cwd, env: gitEnv, maxBuffer: 256 * 1024 * 1024 });

/** `git http-backend` as a CGI program behind a small HTTP server. */
function httpBackend(root: string, port: number) {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url!, 'http://localhost');
    const child = spawn('git', ['http-backend'], {
      env: {
        ...gitEnv,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: request.method!,
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: (request.headers['git-protocol'] as string) ?? '',
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    request.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) return void response.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const [name, ...value] = line.split(':');
        if (name.toLowerCase() === 'status') status = Number(value.join(':').trim().split(' ')[0]);
        else response.setHeader(name, value.join(':').trim());
      }
      response.writeHead(status);
      response.write(head.subarray(end + 4));
    });
    child.on('close', () => response.end());
  });
  return new Promise<{ close(): void }>((resolve) => server.listen(port, '127.0.0.1', () => resolve({ close: () => server.close() })));
}

async function timeClone(url: string, extra: string[]): Promise<number> {
  const target = join(scratch, `clone-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  await gitAsync(scratch, 'clone', '-q', ...extra, url, target);
  const ms = performance.now() - started;
  rmSync(target, { recursive: true, force: true });
  return ms;
}

const stack = await benchStack();
const root = `bench-${createHash('sha1').update(String(Math.random())).digest('hex')}`;
Object.assign(process.env, { BOOTSTRAP_TOKEN_SHA256: createHash('sha256').update(root).digest('hex') });
const port = await freePort();
Object.assign(process.env, { EXTERNAL_URL: `http://127.0.0.1:${port}` });
const api = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
let backend: { close(): void } | undefined;
try {
  // The repository: 1,000 files in 20 folders, then 99 commits changing 10 files each.
  const work = join(scratch, 'work');
  mkdirSync(work);
  git(work, 'init', '-q', '-b', 'main');
  for (let i = 0; i < FILES; i++) {
    mkdirSync(join(work, `dir-${i % 20}`), { recursive: true });
    writeFileSync(join(work, `dir-${i % 20}`, `file-${i}.txt`), `file ${i}\n${'x'.repeat(i % 500)}\n`);
  }
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'commit 1');
  for (let c = 2; c <= COMMITS; c++) {
    for (let k = 0; k < 10; k++) {
      const i = (c * 37 + k * 101) % FILES;
      writeFileSync(join(work, `dir-${i % 20}`, `file-${i}.txt`), `file ${i} changed in commit ${c}\n`);
    }
    git(work, 'commit', '-q', '-am', `commit ${c}`);
  }
  const bareRoot = join(scratch, 'bare');
  mkdirSync(bareRoot);
  git(scratch, 'clone', '-q', '--bare', work, join(bareRoot, 'repo.git'));

  const created = await app.request('/api/v4/projects', { method: 'POST', headers: { 'PRIVATE-TOKEN': root, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'bench' }) });
  if (created.status !== 201) throw new Error(`project: ${created.status} ${await created.text()}`);
  const ours = `http://oauth2:${root}@127.0.0.1:${port}/root/bench.git`;
  const pushStarted = performance.now();
  await gitAsync(work, 'push', '-q', ours, 'main');
  console.log(`repository: ${FILES} files, ${COMMITS} commits; pushed to jobplane in ${(performance.now() - pushStarted).toFixed(0)} ms`);

  const backendPort = await freePort();
  backend = await httpBackend(bareRoot, backendPort);
  const theirs = `http://127.0.0.1:${backendPort}/repo.git`;
  for (const [label, extra] of [
    ['full clone', []],
    ['clone --depth 50', ['--depth', '50']],
  ] as [string, string[]][]) {
    await timeClone(ours, extra);
    await timeClone(theirs, extra);
    const oursMs: number[] = [];
    const theirsMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      oursMs.push(await timeClone(ours, extra));
      theirsMs.push(await timeClone(theirs, extra));
    }
    const a = median(oursMs);
    const b = median(theirsMs);
    console.log(`${label}: jobplane ${a.toFixed(0)} ms, git http-backend ${b.toFixed(0)} ms, ratio ${(a / b).toFixed(2)}x (median of ${ROUNDS})`);
  }
} finally {
  backend?.close();
  api.close();
  await stack.stop();
  rmSync(scratch, { recursive: true, force: true });
}
