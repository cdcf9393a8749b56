import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobPayload } from '../../shared/gitlab/entities/runner-protocol';
import { RUNNER_VERSION } from './api';

/**
 * Getting the job's code as gitlab-runner's shell executor does (`shells/abstract.go`), with the
 * machine's `git`: never `git clone`, but `git init`, the remote set to `repo_url` (which carries
 * the job token), `git fetch` of the job's refspecs at its depth, a forced checkout of the SHA and
 * `git clean`. `GIT_STRATEGY` is `fetch` (the folder is kept between jobs), `clone` (it is wiped
 * first), `empty` (wiped, nothing fetched) or `none`; `GIT_CHECKOUT`, `GIT_CLEAN_FLAGS`,
 * `GIT_FETCH_EXTRA_FLAGS`, `GIT_DEPTH` and `GIT_SUBMODULE_STRATEGY` are honoured.
 */
export interface CheckoutContext {
  job: JobPayload;
  dir: string;
  /** The job's variables, expanded. */
  variables: Map<string, string>;
  env: Record<string, string>;
  line(text: string): void;
  write(chunk: Buffer): void;
}

export class CheckoutFailed extends Error {}

function run(context: CheckoutContext, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: { ...context.env, GIT_TERMINAL_PROMPT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => context.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => context.write(chunk));
    child.once('error', (error) => reject(new CheckoutFailed(`cannot run git: ${error.message}`)));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new CheckoutFailed(`git ${args[0] === '-c' ? args[2] : args[0]} exited with code ${code}`))));
  });
}

const words = (value: string) => value.split(/\s+/).filter(Boolean);

export async function checkout(context: CheckoutContext): Promise<void> {
  const { job, dir, variables } = context;
  const strategy = variables.get('GIT_STRATEGY') || (job.allow_git_fetch === false ? 'clone' : 'fetch');
  if (strategy === 'none') {
    context.line('Skipping Git repository setup');
    return;
  }
  if (strategy === 'clone' || strategy === 'empty') await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  if (strategy === 'empty') {
    context.line('Skipping Git repository setup and creating an empty build directory');
    return;
  }
  const git = job.git_info;
  if (!git.repo_url) throw new CheckoutFailed('the job names no repository to fetch');
  const depth = Number(variables.get('GIT_DEPTH') ?? git.depth ?? 0);
  context.line(depth > 0 ? `Fetching changes with git depth set to ${depth}...` : 'Fetching changes...');
  const fresh = !existsSync(join(dir, '.git'));
  context.line(fresh ? `Initialized empty Git repository in ${dir}/.git/` : `Reinitialized existing Git repository in ${dir}/.git/`);
  if (fresh) await run(context, ['-c', 'init.defaultBranch=none', 'init', '-q', dir], dir);
  await run(context, ['config', 'fetch.recurseSubmodules', 'false'], dir);
  const remotes = fresh ? [] : await remoteNames(context, dir);
  await run(context, remotes.includes('origin') ? ['remote', 'set-url', 'origin', git.repo_url] : ['remote', 'add', 'origin', git.repo_url], dir);
  const fetch = ['-c', `http.userAgent=gitlab-runner ${RUNNER_VERSION} ${process.platform}/${process.arch}`, 'fetch', 'origin', '--no-recurse-submodules', ...(git.refspecs ?? [git.sha])];
  if (depth > 0) fetch.push('--depth', String(depth));
  else if (existsSync(join(dir, '.git', 'shallow'))) fetch.push('--unshallow');
  fetch.push(...words(variables.get('GIT_FETCH_EXTRA_FLAGS') ?? '--prune --quiet'));
  await run(context, fetch, dir);
  if (variables.get('GIT_CHECKOUT') === 'false') {
    context.line('Skipping Git checkout');
  } else {
    context.line(`Checking out ${git.sha.slice(0, 8)} as detached HEAD (ref is ${git.ref})...`);
    await run(context, ['-c', 'submodule.recurse=false', 'checkout', '-f', '-q', git.sha], dir);
    const clean = variables.get('GIT_CLEAN_FLAGS') ?? '-ffdx';
    if (clean !== 'none') await run(context, ['clean', ...words(clean)], dir);
  }
  const submodules = variables.get('GIT_SUBMODULE_STRATEGY') ?? 'none';
  if (submodules === 'normal' || submodules === 'recursive') {
    context.line('Updating/initializing submodules...');
    const recursive = submodules === 'recursive' ? ['--recursive'] : [];
    await run(context, ['submodule', 'sync', ...recursive], dir);
    await run(context, ['submodule', 'update', '--init', ...recursive], dir);
  } else {
    context.line('Skipping Git submodules setup');
  }
}

function remoteNames(context: CheckoutContext, dir: string): Promise<string[]> {
  return new Promise((resolve) => {
    const child = spawn('git', ['remote'], { cwd: dir, env: context.env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', () => resolve([]));
    child.once('close', () => resolve(words(out)));
  });
}

/** The files git does not track in the checkout (`artifacts:untracked`; `.gitignore` does not apply). */
export function untrackedFiles(dir: string): Promise<string[]> {
  return new Promise((resolve) => {
    if (!existsSync(join(dir, '.git'))) return resolve([]);
    const child = spawn('git', ['ls-files', '--others', '-z'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', () => resolve([]));
    child.once('close', () => resolve(Buffer.concat(chunks).toString('utf8').split('\0').filter(Boolean)));
  });
}
