import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestId, REQUEST_ID_HEADER } from '../../shared/http/request-id';
import { formatRequestLine, requestLogger, type RequestLogEntry } from '../../shared/http/request-log';
import { correlationId } from '../../shared/observability/logger';

/** One entry per answered request, with the route's pattern, the dialect and the request's id. */
function appLogging(entries: RequestLogEntry[]): Hono {
  const app = new Hono();
  app.use(requestId);
  app.use(requestLogger((entry) => entries.push(entry)));
  app.get('/v1/job/:job_id', (c) => c.text(c.req.param('job_id')));
  app.post('/api/v4/jobs/request', (c) => c.body(null, 204));
  app.get('/v3/boom', () => {
    throw new Error('boom');
  });
  app.onError((_error, c) => c.json({ error_code: 'CB.00000000', error_msg: 'internal' }, 500));
  return app;
}

describe('request log', () => {
  it('logs each answer once: method, path without query, route pattern, dialect, status, time and request id', async () => {
    const entries: RequestLogEntry[] = [];
    const app = appLogging(entries);
    const nomad = await app.request('/v1/job/web?namespace=default&token=secret');
    const gitlab = await app.request('/api/v4/jobs/request', { method: 'POST' });
    const codearts = await app.request('/v3/boom');
    const unknown = await app.request('/v1/nothing');

    expect(entries.map(({ ms: _ms, requestId: _id, ...rest }) => rest)).toEqual([
      { method: 'GET', path: '/v1/job/web', route: '/v1/job/:job_id', dialect: 'nomad', status: 200 },
      { method: 'POST', path: '/api/v4/jobs/request', route: '/api/v4/jobs/request', dialect: 'gitlab', status: 204 },
      { method: 'GET', path: '/v3/boom', route: '/v3/boom', dialect: 'codearts', status: 500 },
      { method: 'GET', path: '/v1/nothing', route: '/*', dialect: 'nomad', status: 404 },
    ]);
    expect(entries.map((e) => e.requestId)).toEqual([nomad, gitlab, codearts, unknown].map((r) => r.headers.get(REQUEST_ID_HEADER)));
    for (const entry of entries) expect(entry.ms).toBeGreaterThanOrEqual(0);
  });

  it('times the whole answer', async () => {
    const entries: RequestLogEntry[] = [];
    const app = new Hono();
    app.use(requestLogger((entry) => entries.push(entry)));
    app.get('/v1/slow', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return c.text('done');
    });
    await app.request('/v1/slow');
    expect(entries[0].ms).toBeGreaterThanOrEqual(55);
  });

  it('serves each request under its id as the correlation id, across awaits', async () => {
    const app = new Hono();
    app.use(requestId);
    app.use(requestLogger(() => undefined));
    app.get('/v1/whoami', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return c.text(correlationId() ?? 'none');
    });
    const [a, b] = await Promise.all([app.request('/v1/whoami'), app.request('/v1/whoami')]);
    for (const response of [a, b]) expect(await response.text()).toBe(response.headers.get(REQUEST_ID_HEADER));
    expect(a.headers.get(REQUEST_ID_HEADER)).not.toBe(b.headers.get(REQUEST_ID_HEADER));
    expect(correlationId()).toBeUndefined();
  });

  it('prints locally as one short line', () => {
    expect(formatRequestLine({ requestId: 'x', method: 'GET', path: '/v1/jobs', route: '/v1/jobs', dialect: 'nomad', status: 200, ms: 3 })).toBe(
      'GET /v1/jobs 200 3ms',
    );
  });
});
