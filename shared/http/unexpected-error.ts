import type { Context } from 'hono';
import { serviceLogger } from '../observability/logger';
import { requestIdOf } from './request-id';

/**
 * An error no handler expected: its details go to the log under the request's id (which the
 * answer carries as X-Request-Id), never to the caller, who gets the dialect's generic 500.
 */
const logger = serviceLogger('api');

export function logUnexpectedError(c: Context, error: unknown): void {
  logger.error('unexpected error', { error: error as Error, requestId: requestIdOf(c), method: c.req.method, path: c.req.path });
}
