import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The real `git` command line, with no user or system configuration and no prompts, in scratch
 * directories removed by `cleanup()`.
 */
export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

const made: string[] = [];

export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'jobplane-git-test-'));
  made.push(dir);
  return dir;
}

export async function cleanup(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: cwd,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Ada',
          GIT_AUTHOR_EMAIL: 'ada@example.com',
          GIT_COMMITTER_NAME: 'Ada',
          GIT_COMMITTER_EMAIL: 'ada@example.com',
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Like `git`, but a failure is an exception showing git's output. */
export async function gitOk(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await git(cwd, args, env);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed (${result.code}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** `http://user:secret@host/path.git` for a server URL. */
export function remoteUrl(serverUrl: string, path: string, username?: string, secret?: string): string {
  const url = new URL(`${serverUrl}/${path}.git`);
  if (username !== undefined) {
    url.username = encodeURIComponent(username);
    url.password = encodeURIComponent(secret ?? '');
  }
  return url.toString();
}
