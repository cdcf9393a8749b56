/**
 * The agent's HTTP client for the control plane: every call carries the agent's token in
 * `X-Nomad-Token`, bodies are JSON, and a non-2xx answer becomes an ApiError with the status and
 * the text the server gave (Nomad's errors are plain text).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly path: string,
  ) {
    super(`${path}: ${status} ${body.trim()}`);
  }
}

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
}

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
  /** Extra headers on every call (the node's secret, for instance). */
  headers?: Record<string, string>;
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
  }

  headers(): Record<string, string> {
    return { ...(this.options.token ? { 'X-Nomad-Token': this.options.token } : {}), ...this.options.headers };
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.headers(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, text, path);
    return { body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
  }

  /** The WebSocket URL of a path on the same server. */
  wsUrl(path: string): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}${path}`;
  }
}
