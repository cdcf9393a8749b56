import { createServer, type IncomingMessage, type RequestListener, type ServerOptions } from 'node:http';

/**
 * The Node HTTP server of the API (`serve({ createServer: createApiServer, … })`). The server
 * adapter answers a request whose path holds a backslash with an empty 400 before any route sees
 * it; the routes answer bad paths in their dialect's own format instead, so a backslash in the path
 * reaches the app percent-encoded (`%5C`), as browsers send it. The query is left as sent.
 */
function encodePathBackslashes(request: IncomingMessage): void {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (path.includes('\\')) request.url = path.replaceAll('\\', '%5C') + (query < 0 ? '' : url.slice(query));
}

export const createApiServer = ((options: ServerOptions, listener: RequestListener) =>
  createServer(options, (request, response) => {
    encodePathBackslashes(request);
    listener(request, response);
  })) as unknown as typeof createServer;
