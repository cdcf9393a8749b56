import type { Context } from 'hono';

/**
 * The request's path as the client sent it, still percent-encoded. Parsing it as a URL (the Node
 * server adapter does, and so does the Lambda adapter) resolves `.` and `..` segments and reads `\`
 * as `/`, so a path that names them would reach a route already rewritten. GitLab refuses such
 * artifact paths, so the routes that take a path read the original: `incoming.url` under Node,
 * the API Gateway event's `rawPath` on Lambda.
 */
export function requestTargetPath(c: Context): string {
  const env = c.env as { incoming?: { url?: unknown }; event?: { rawPath?: unknown } } | undefined;
  const raw = env?.incoming?.url ?? env?.event?.rawPath;
  if (typeof raw !== 'string' || !raw.startsWith('/')) return new URL(c.req.url).pathname;
  const query = raw.indexOf('?');
  return query < 0 ? raw : raw.slice(0, query);
}
