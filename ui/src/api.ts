import { tokenOf, type Dialect } from './session';

/** An answer other than 2xx, with the dialect's error text. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly dialect: Dialect,
  ) {
    super(message);
  }
}

const AUTH_HEADER: Record<Dialect, string> = {
  nomad: 'X-Nomad-Token',
  gitlab: 'PRIVATE-TOKEN',
  codearts: 'X-Auth-Token',
};

export function authHeaders(dialect: Dialect): Record<string, string> {
  const token = tokenOf(dialect);
  return token ? { [AUTH_HEADER[dialect]]: token } : {};
}

/** The error text each dialect puts in its body: Nomad plain text, GitLab `message`/`error`, CodeArts `error_msg`. */
function errorText(dialect: Dialect, status: number, body: string): string {
  if (dialect === 'nomad') return body.trim() || `HTTP ${status}`;
  try {
    const json = JSON.parse(body);
    if (dialect === 'codearts') return `${json.error_code}: ${json.error_msg}`;
    const message = json.message ?? json.error;
    return typeof message === 'string' ? message : JSON.stringify(message);
  } catch {
    return body.trim() || `HTTP ${status}`;
  }
}

export interface Answer<T> {
  body: T;
  headers: Headers;
}

export async function call<T>(dialect: Dialect, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Answer<T>> {
  const headers: Record<string, string> = authHeaders(dialect);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, errorText(dialect, response.status, text), dialect);
  const type = response.headers.get('content-type') ?? '';
  return { body: (type.includes('json') && text ? JSON.parse(text) : text) as T, headers: response.headers };
}

export const nomad = <T,>(method: string, path: string, body?: unknown, signal?: AbortSignal) => call<T>('nomad', method, `/v1${path}`, body, signal);
export const gitlab = <T,>(method: string, path: string, body?: unknown) => call<T>('gitlab', method, `/api/v4${path}`, body);
export const codearts = <T,>(method: string, path: string, body?: unknown) => call<T>('codearts', method, `/v3${path}`, body);
