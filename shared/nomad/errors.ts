import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Nomad's domain errors, thrown by services and rendered once, by http/error-response.ts: Nomad
 * answers errors as `text/plain` with the message alone. Where Nomad says 500 for the
 * caller's own mistake we answer the same text with a 4xx (see the README's list of deliberate
 * differences); genuine internal failures stay 500.
 */
export class NomadError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new NomadError(400, message);
export const notFound = (message: string) => new NomadError(404, message);
export const conflict = (message: string) => new NomadError(409, message);
export const methodNotAllowed = () => new NomadError(405, 'Invalid method');
