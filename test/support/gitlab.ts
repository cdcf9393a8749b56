import { createHash } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { Gitlab } from '@gitbeaker/rest';
import { createApiServer } from '../../infra/local/api-server';
import { freePort } from '../../infra/local/stand-ins';
import { app } from '../../shared/http/app';
import { readResponse, type ApiResponse } from './nomad';
import { useFreshResources } from './resources';

/**
 * The GitLab API of a fresh table, served on a loopback port so that real clients (gitbeaker,
 * plain fetch as gitlab-runner speaks it) talk to it over HTTP. `root` is the bootstrap token.
 */
export interface GitLabServer {
  url: string;
  root: string;
  stop(): Promise<void>;
}

export async function startGitLab(): Promise<GitLabServer> {
  await useFreshResources();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const root = `bootstrap-${createHash('sha1').update(String(Math.random())).digest('hex')}`;
  Object.assign(process.env, { EXTERNAL_URL: url, BOOTSTRAP_TOKEN_SHA256: createHash('sha256').update(root).digest('hex') });
  const server: ServerType = await new Promise((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port, hostname: '127.0.0.1', createServer: createApiServer }, () => resolve(started));
    started.once('error', reject);
  });
  return {
    url,
    root,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function client(server: GitLabServer, token: string) {
  return new Gitlab({ host: server.url, token });
}

export type HttpResponse<T = any> = ApiResponse<T>;

/** A raw request, as curl or gitlab-runner would send it. */
export async function http<T = any>(server: GitLabServer, method: string, path: string, options: { token?: string; jobToken?: string; json?: unknown; body?: string | Uint8Array; headers?: Record<string, string> } = {}): Promise<HttpResponse<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers['PRIVATE-TOKEN'] = options.token;
  if (options.jobToken) headers['JOB-TOKEN'] = options.jobToken;
  let body: string | Uint8Array<ArrayBuffer> | undefined = options.body === undefined || typeof options.body === 'string' ? options.body : new Uint8Array(options.body);
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  return readResponse<T>(await fetch(`${server.url}${path}`, { method, headers, body }));
}

/** A project of root's whose `.gitlab-ci.yml` on `main` is `ci`, committed with `[skip ci]`: no push pipeline runs. */
export async function projectWithCi(server: GitLabServer, name: string, ci: string): Promise<{ id: number; runnersToken: string }> {
  const project = await http(server, 'POST', '/api/v4/projects', { token: server.root, json: { name } });
  if (project.status !== 201) throw new Error(`project: ${project.status} ${project.text}`);
  const file = await http(server, 'POST', `/api/v4/projects/${project.body.id}/repository/files/.gitlab-ci.yml`, {
    token: server.root,
    json: { branch: 'main', content: ci, commit_message: 'ci [skip ci]' },
  });
  if (file.status !== 201) throw new Error(`CI file: ${file.status} ${file.text}`);
  return { id: project.body.id, runnersToken: project.body.runners_token };
}

/** A user with a token of the given scopes, made by the administrator. */
export async function makeUser(server: GitLabServer, username: string, scopes = ['api']): Promise<{ id: number; token: string }> {
  const user = await http(server, 'POST', '/api/v4/users', { token: server.root, json: { username, name: username, email: `${username}@example.com`, password: 'secret-password' } });
  if (user.status !== 201) throw new Error(`user: ${user.status} ${user.text}`);
  const token = await http(server, 'POST', `/api/v4/users/${user.body.id}/personal_access_tokens`, { token: server.root, json: { name: 'tests', scopes } });
  if (token.status !== 201) throw new Error(`token: ${token.status} ${token.text}`);
  return { id: user.body.id, token: token.body.token };
}

/** A runner created by the administrator (`glrt-` token). */
export async function makeRunner(server: GitLabServer, options: { tags?: string[]; runUntagged?: boolean } = {}): Promise<{ id: number; token: string }> {
  const response = await http(server, 'POST', '/api/v4/user/runners', {
    token: server.root,
    json: { runner_type: 'instance_type', tag_list: options.tags ?? [], run_untagged: options.runUntagged ?? true, description: 'test runner' },
  });
  if (response.status !== 201) throw new Error(`runner: ${response.status} ${response.text}`);
  return response.body;
}

/** `POST /jobs/request` as gitlab-runner sends it. */
export function requestJob(server: GitLabServer, token: string, extra: Record<string, unknown> = {}) {
  return http(server, 'POST', '/api/v4/jobs/request', {
    json: { token, info: { name: 'gitlab-runner', version: '17.5.0', executor: 'shell', features: { trace_sections: true } }, ...extra },
  });
}

export function finishJob(server: GitLabServer, jobId: number, jobToken: string, state: 'success' | 'failed', extra: Record<string, unknown> = {}) {
  return http(server, 'PUT', `/api/v4/jobs/${jobId}`, { json: { token: jobToken, state, ...extra } });
}
