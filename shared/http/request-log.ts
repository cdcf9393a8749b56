import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '@aws-lambda-powertools/logger';
import { serviceLogger, withCorrelationId } from '../observability/logger';
import { countRequest } from '../observability/metrics';
import { dialectOf } from './dialect';
import { requestIdOf } from './request-id';
import { matchedRoute } from './matched-route';

/**
 * Everything logged while a request is served carries its id (`correlation_id`).
 * One line per request once it is answered, and its count in the Requests metric by dialect,
 * route and status. On Lambda the line is Powertools JSON carrying the request id (the answer's
 * `X-Request-Id` and API Gateway's access-log id); `npm start` (REQUEST_LOG=text) prints
 * `GET /v1/jobs 200 3ms` instead. The path is logged without its query, where tokens may ride.
 */
export interface RequestLogEntry {
  requestId: string;
  method: string;
  path: string;
  /** The matched route's pattern (`/v1/job/:job_id`), or the catch-all's for unknown paths. */
  route: string;
  dialect: string;
  status: number;
  ms: number;
}

export function formatRequestLine(entry: RequestLogEntry): string {
  return `${entry.method} ${entry.path} ${entry.status} ${entry.ms}ms`;
}

let logger: Logger | undefined;

function writeEntry(entry: RequestLogEntry): void {
  if (process.env.REQUEST_LOG === 'text') {
    console.log(formatRequestLine(entry));
    return;
  }
  logger ??= serviceLogger('api');
  logger.info('request', { ...entry });
  countRequest({ dialect: entry.dialect, route: `${entry.method} ${entry.route}`, status: String(entry.status) });
}

export function requestLogger(write: (entry: RequestLogEntry) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await withCorrelationId(requestIdOf(c), next);
    write(entryOf(c, Math.round(performance.now() - started)));
  };
}

function entryOf(c: Context, ms: number): RequestLogEntry {
  return {
    requestId: requestIdOf(c),
    method: c.req.method,
    path: c.req.path,
    route: matchedRoute(c),
    dialect: dialectOf(c.req.path),
    status: c.res.status,
    ms,
  };
}

export const requestLog = requestLogger(writeEntry);
