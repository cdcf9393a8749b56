import { randomUUID } from 'node:crypto';
import type { Context, ErrorHandler, Hono, MiddlewareHandler } from 'hono';
import { createFactory } from 'hono/factory';
import { logUnexpectedError } from '../../http/unexpected-error';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CodeArtsError, internalError, urlNotFound } from '../errors';

/**
 * What CodeArts Build's `/v3` routes (and IAM's token endpoint beside it) share. Every answer
 * carries an `X-Request-Id` (a dashless UUID, as Huawei's); every error is `{"error_code",
 * "error_msg", "request_id"}`; an unknown path, or a known one asked with another method, is
 * CB.00060214. Each route module exports a `mount…Routes(app)` that router.ts calls.
 */
export type CodeArtsEnv = { Variables: { requestId: string } };

export type CodeArtsApp = Hono<CodeArtsEnv>;

/** An endpoint: its middleware (authentication, then params) and the handler, which sees what they set, typed. */
export const handlers = createFactory<CodeArtsEnv>().createHandlers;

const JSON_TYPE = 'application/json;charset=UTF-8';

function requestId(c: Context): string {
  let id = c.get('requestId') as string | undefined;
  if (!id) {
    id = randomUUID().replace(/-/g, '');
    c.set('requestId', id);
  }
  return id;
}

export function respond(c: Context, body: unknown, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), status, { 'Content-Type': JSON_TYPE, ...headers });
}

function errorResponse(c: Context, error: CodeArtsError): Response {
  return respond(c, { error_code: error.code, error_msg: error.message, request_id: requestId(c) }, error.status);
}

export function codeartsNotFound(c: Context): Response {
  return errorResponse(c, urlNotFound());
}

export const requestIdHeader: MiddlewareHandler<CodeArtsEnv> = async (c, next) => {
  const id = requestId(c);
  await next();
  c.res.headers.set('X-Request-Id', id);
};

export const codeartsErrorResponse: ErrorHandler<CodeArtsEnv> = (error, c) => {
  if (error instanceof CodeArtsError) return errorResponse(c, error);
  logUnexpectedError(c, error);
  return errorResponse(c, internalError());
};
