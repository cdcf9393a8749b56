import { http, type GitLabServer, type HttpResponse } from '../support/gitlab';

/**
 * CodeArts calls over HTTP as a Huawei SDK or curl sends them (`X-Auth-Token`, JSON bodies), and
 * IAM-style tokens minted by the administrator through `POST /v3/auth/tokens`.
 */
export function codearts<T = any>(server: GitLabServer, method: string, path: string, token: string | undefined, body?: unknown): Promise<HttpResponse<T>> {
  const headers: Record<string, string> = token === undefined ? {} : { 'X-Auth-Token': token };
  if (body === undefined) return http<T>(server, method, path, { headers });
  if (typeof body === 'string') return http<T>(server, method, path, { headers: { ...headers, 'Content-Type': 'application/json' }, body });
  return http<T>(server, method, path, { headers, json: body });
}

export type Scope = { project: { id?: string; name?: string; domain?: { id?: string; name?: string } } } | { domain: { id?: string; name?: string } };

export async function mintToken(server: GitLabServer, scope: Scope, options: { user?: { id?: string; name?: string }; durationSeconds?: number } = {}): Promise<{ token: string; body: any }> {
  const response = await http(server, 'POST', '/v3/auth/tokens', {
    json: {
      auth: {
        identity: { methods: ['token'], token: { id: server.root, user: options.user, duration_seconds: options.durationSeconds } },
        scope,
      },
    },
  });
  if (response.status !== 201) throw new Error(`mint: ${response.status} ${response.text}`);
  return { token: response.headers.get('x-subject-token')!, body: response.body };
}

/** A task whose one step is a shell command. */
export function shellTask(command: string, extra: Record<string, unknown> = {}) {
  return {
    arch: 'x86-64',
    project_id: 'b4d3971c3988463b865f6f920846149e',
    job_name: 'demo-build',
    steps: [{ module_id: 'devcloud2018.codeci_action_20017.action', name: 'Execute Shell Command', enable: true, properties: { command } }],
    ...extra,
  };
}
