import type { Context } from 'hono';
import { logUnexpectedError } from '../../http/unexpected-error';
import { NomadError } from '../errors';

/**
 * Nomad's errors on the wire: `text/plain`, the message alone. Anything else is logged under the
 * request's id and answered with net/http's text for a 500.
 */
export function nomadErrorResponse(error: unknown, c: Context): Response {
  if (error instanceof NomadError) return c.text(error.message, error.status);
  logUnexpectedError(c, error);
  return c.text('Internal Server Error', 500);
}
