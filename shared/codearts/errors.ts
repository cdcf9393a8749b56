import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * CodeArts Build's error answers, `{"error_code", "error_msg"}` (plus the `request_id` the HTTP
 * layer adds). The CB.* codes are Huawei's table; authentication errors are the API gateway's
 * (APIGW.*), because on Huawei Cloud the gateway checks `X-Auth-Token` before CodeArts sees the call.
 */
export class CodeArtsError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const invalidParameter = () => new CodeArtsError(400, 'CB.00060200', 'Invalid parameter.');
export const invalidTaskId = () => new CodeArtsError(400, 'CB.00060201', 'Invalid task ID.');
export const taskNotFound = () => new CodeArtsError(404, 'CB.00060201', 'The build task does not exist.');
export const recordNotFound = () => new CodeArtsError(404, 'CB.00060200', 'The build record does not exist.');
export const urlNotFound = () => new CodeArtsError(404, 'CB.00060214', 'URL not found.');
export const internalError = () => new CodeArtsError(500, 'CB.00060101', 'Internal error.');

const IAM_PREFIX = 'Incorrect IAM authentication information';
export const tokenMissing = () => new CodeArtsError(401, 'APIGW.0301', `${IAM_PREFIX}: x-auth-token not found`);
export const tokenUnreadable = () => new CodeArtsError(401, 'APIGW.0301', `${IAM_PREFIX}: decrypt token fail`);
export const tokenExpired = (expiresAt: string) => new CodeArtsError(401, 'APIGW.0301', `${IAM_PREFIX}: token expires, expires_at: ${expiresAt}`);
export const domainScoped = () => new CodeArtsError(403, 'APIGW.0302', 'The IAM user is not authorized to access the API.');
