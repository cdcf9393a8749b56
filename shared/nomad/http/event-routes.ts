import type { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { permissionDenied, resolveRequest } from '../acl/guard';
import { config } from '../../config';
import { logUnexpectedError } from '../../http/unexpected-error';
import { parseTopics } from '../events/from-changes';
import { EventStreamDenied, eventStreamLines, streamNamespaces } from '../services/event-stream';
import { badRequest, methodNotAllowed } from '../errors';
import { namespaceParam } from './params';

/**
 * `GET /v1/event/stream` (command/agent/event_endpoint.go): `topic` (repeatable, `Topic` or
 * `Topic:key`), `index`, `namespace` (`*` for every namespace); newline-delimited JSON answered as
 * it comes, as Nomad's chunked answer.
 */
export function mountEventRoutes(app: Hono): void {
  app.get('/v1/event/stream', async (c) => {
    const indexText = c.req.query('index') || '0';
    if (!/^[+-]?\d+$/.test(indexText) || Math.abs(Number(indexText)) >= 2 ** 63) {
      throw badRequest(`Unable to parse index: strconv.Atoi: parsing ${JSON.stringify(indexText)}: ${/^[+-]?\d+$/.test(indexText) ? 'value out of range' : 'invalid syntax'}`);
    }
    const topics = parseTopics(c.req.queries('topic') ?? []);
    if (typeof topics === 'string') throw badRequest(`Invalid topic query: error parsing topics: ${topics}`);
    const { acl } = await resolveRequest(c);
    let namespaces: string[];
    try {
      namespaces = await streamNamespaces(acl, namespaceParam(c), topics);
    } catch (error) {
      if (error instanceof EventStreamDenied) throw permissionDenied();
      throw error;
    }
    const maxMs = config().eventStreamMaxMs;
    const lines = eventStreamLines({
      acl,
      topics,
      namespaces,
      index: Math.max(Number(indexText), 0),
      pollMs: config().blockingPollMs,
      deadline: maxMs === undefined ? undefined : Date.now() + maxMs,
      signal: c.req.raw.signal,
    });
    c.header('Content-Type', 'application/json');
    c.header('Cache-Control', 'no-cache');
    return stream(c, async (out) => {
      out.onAbort(() => void lines.return(undefined));
      for await (const line of lines) {
        if (out.aborted) break;
        await out.write(`${line}\n`);
      }
      // Once the answer has started its status is sent; a failure can only end it, and is logged.
    }, async (error) => logUnexpectedError(c, error));
  });
  app.all('/v1/event/stream', () => {
    throw methodNotAllowed();
  });
}
