import type { JobPayload, JobRequestParams } from '../../shared/gitlab/entities/runner-protocol';

/**
 * The runner's half of GitLab's runner API (`lib/api/ci/runner.rb`), as gitlab-runner speaks it:
 * JSON bodies carrying the runner or job token, answers read by their status codes and the
 * `Job-Status` header that tells a running job it was canceled. The shapes are the server's
 * (shared/gitlab/entities/runner-protocol.ts).
 */
export const RUNNER_VERSION = '17.5.0';

export class RunnerApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly path: string,
  ) {
    super(`${path}: ${status} ${body.trim().slice(0, 300)}`);
  }
}

export const RUNNER_FEATURES = {
  variables: true,
  artifacts: true,
  upload_multiple_artifacts: true,
  upload_raw_artifacts: true,
  artifacts_exclude: true,
  trace_reset: true,
  trace_checksum: false,
  trace_size: true,
  cancel_gracefully: true,
  multi_build_steps: true,
  return_exit_code: true,
  raw_variables: true,
};

export class RunnerApi {
  readonly base: string;

  constructor(url: string) {
    this.base = `${url.replace(/\/+$/, '')}/api/v4`;
  }

  async call(method: string, path: string, init: { json?: unknown; headers?: Record<string, string>; body?: RequestInit['body']; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { 'User-Agent': `gitlab-runner ${RUNNER_VERSION} (jobplane; shell)`, ...init.headers };
    let body = init.body;
    if (init.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    return fetch(`${this.base}${path}`, { method, headers, body, signal: init.signal, redirect: 'manual' });
  }

  private async json<T>(method: string, path: string, json: unknown, ok: number[], headers?: Record<string, string>): Promise<{ status: number; body: T | undefined; headers: Headers }> {
    const response = await this.call(method, path, { json, headers });
    const text = await response.text();
    if (!ok.includes(response.status)) throw new RunnerApiError(response.status, text, path);
    return { status: response.status, body: text ? (JSON.parse(text) as T) : undefined, headers: response.headers };
  }

  async register(registrationToken: string, attributes: Record<string, unknown>): Promise<string> {
    return (await this.json<{ token: string }>('POST', '/runners', { token: registrationToken, ...attributes }, [201])).body!.token;
  }

  /** An instance runner created with an administrator's token (`POST /user/runners`). */
  async createInstanceRunner(adminToken: string, attributes: Record<string, unknown>): Promise<string> {
    return (await this.json<{ token: string }>('POST', '/user/runners', { runner_type: 'instance_type', ...attributes }, [201], { 'PRIVATE-TOKEN': adminToken })).body!.token;
  }

  /** Whether the token still belongs to a runner (403 means it was removed). */
  async verify(token: string): Promise<boolean> {
    const response = await this.call('POST', '/runners/verify', { json: { token } });
    await response.body?.cancel();
    if (response.status === 403) return false;
    if (response.status !== 200) throw new RunnerApiError(response.status, '', '/runners/verify');
    return true;
  }

  /** A job (201), or nothing (204) with the queue value to send back next time. */
  async requestJob(token: string, lastUpdate: string | undefined, info: Record<string, unknown>): Promise<{ job?: JobPayload; lastUpdate?: string }> {
    const params: JobRequestParams = { token, last_update: lastUpdate, info };
    const { status, body, headers } = await this.json<JobPayload>('POST', '/jobs/request', params, [201, 204]);
    if (status === 201) return { job: body };
    return { lastUpdate: headers.get('X-GitLab-Last-Update') ?? undefined };
  }
}
