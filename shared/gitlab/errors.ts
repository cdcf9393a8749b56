import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * GitLab's error answers. Its helpers (`not_found!`, `forbidden!`, `bad_request!`) write
 * `{"message": …}`; Grape's parameter validation writes `{"error": …}`. Services throw these too,
 * because the reasons they give are GitLab's own words.
 */
export class GitLabError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : JSON.stringify(body));
  }
}

/** `404 Not found` (a record found by id), or `404 <What> Not Found`. */
export const notFound = (what?: string) => new GitLabError(404, { message: what ? `404 ${what} Not Found` : '404 Not found' });
export const forbidden = (reason?: string, headers: Record<string, string> = {}) =>
  new GitLabError(403, { message: reason ? `403 Forbidden - ${reason}` : '403 Forbidden' }, headers);
export const badRequest = (reason?: string) => new GitLabError(400, { message: reason ? `400 Bad request - ${reason}` : '400 Bad request' });
export const unauthorized = () => new GitLabError(401, { message: '401 Unauthorized' });
/** Grape's parameter errors: `job_id is invalid`, `ref is missing`. */
export const paramError = (text: string) => new GitLabError(400, { error: text });
/** A model's validation errors: `{"message":{"base":["…"]}}` or per attribute. */
export const validationError = (errors: Record<string, string[]>) => new GitLabError(400, { message: errors });
