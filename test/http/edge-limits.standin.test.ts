import { request as httpRequest } from 'node:http';
import type { Context as LambdaContext } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/api';
import { MAX_BODY_BYTES } from '../../shared/http/edge-limits';
import { jsonTooDeep, valueTooDeep } from '../../shared/util/json-depth';
import { startGitLab, type GitLabServer } from '../support/gitlab';
import { mintToken } from '../codearts/support';
import { readResponse } from '../support/nomad';

/**
 * The limits every request meets before routing, in each dialect's format, over real HTTP
 * (@hono/node-server, as `npm start`) and through the Lambda handler; and the 500 that hides
 * what failed behind a request id.
 */
let server: GitLabServer;
beforeAll(async () => {
  server = await startGitLab();
});
afterAll(() => server.stop());

const oversized = 'x'.repeat(MAX_BODY_BYTES + 1);
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** A body sent chunked, without Content-Length, so only reading it shows its size. */
function chunked(path: string, body: string): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked', 'PRIVATE-TOKEN': server.root } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on('error', reject);
    for (let start = 0; start < body.length; start += 64 * 1024) req.write(body.slice(start, start + 64 * 1024));
    req.end();
  });
}

const post = async (path: string, body: string, headers: Record<string, string> = {}) =>
  readResponse(await fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'PRIVATE-TOKEN': server.root, ...headers } }));

describe('bodies over 6 MB', () => {
  it('are 413 in each dialect when Content-Length says so', async () => {
    const nomad = await post('/v1/jobs', oversized);
    expect([nomad.status, nomad.text]).toEqual([413, 'Request body too large']);
    const gitlab = await post('/api/v4/projects', oversized, { 'Content-Type': 'application/json' });
    expect([gitlab.status, gitlab.body]).toEqual([413, { message: '413 Request Entity Too Large' }]);
    const codearts = await post('/v3/jobs/stop', oversized, { 'Content-Type': 'application/json' });
    expect(codearts.status).toBe(413);
    expect(codearts.body).toEqual({ error_code: 'APIGW.0201', error_msg: 'Request entity too large', request_id: codearts.headers.get('x-request-id') });
  });

  it('are 413 when sent chunked, found while reading', async () => {
    const nomad = await chunked('/v1/jobs', oversized);
    expect([nomad.status, nomad.text]).toEqual([413, 'Request body too large']);
    const gitlab = await chunked('/api/v4/projects', oversized);
    expect([gitlab.status, JSON.parse(gitlab.text)]).toEqual([413, { message: '413 Request Entity Too Large' }]);
  });

  it('leave a body just under the limit to the route', async () => {
    const nomad = await chunked('/v1/jobs', `{"Job":{"ID":"big","Meta":{"a":"${'y'.repeat(MAX_BODY_BYTES - 100)}"}}}`);
    expect(nomad.status).toBe(400);
    expect(nomad.text).not.toBe('Request body too large');
  });

  it('are 413 through the Lambda handler, which answers with API Gateway’s request id', async () => {
    const answer = await invokeLambda({ method: 'POST', path: '/v1/jobs', body: oversized, requestId: 'apigw-req-1' });
    expect([answer.statusCode, answer.body, answer.headers?.['x-request-id']]).toEqual([413, 'Request body too large', 'apigw-req-1']);
  });
});

describe('JSON nested deeper than the bound', () => {
  it('is 400 in each dialect, never a stack overflow', async () => {
    const body = `{"Job":{"ID":"x","Config":${deep(5000)}}}`;
    const nomad = await post('/v1/jobs', body);
    expect([nomad.status, nomad.text]).toEqual([400, "invalid character '[' exceeded max depth"]);
    const gitlab = await post('/api/v4/projects', `{"name":${deep(3000)}}`, { 'Content-Type': 'application/json' });
    expect([gitlab.status, gitlab.body]).toEqual([400, { message: '400 Bad request - JSON nested too deeply' }]);
    const codearts = await post('/v3/jobs/stop', `{"a":${deep(3000)}}`);
    expect([codearts.status, codearts.body.error_code]).toEqual([400, 'CB.00060200']);
  });

  it('is refused at 129 levels and passed on at 128', async () => {
    expect(jsonTooDeep(deep(128))).toBeUndefined();
    expect(jsonTooDeep(deep(129))).toBe('[');
    expect(jsonTooDeep(`{"a":"${'['.repeat(500)}"}`)).toBeUndefined();
    expect(jsonTooDeep(`{"a":"\\"${'{'.repeat(500)}"}`)).toBeUndefined();
    expect(jsonTooDeep(new TextEncoder().encode(`{"a":${'{"b":'.repeat(200)}1${'}'.repeat(200)}}`))).toBe('{');
    const nomad = await post('/v1/jobs', `{"Job":{"ID":"x","Meta":${'{"a":'.repeat(130)}1${'}'.repeat(130)}}}`);
    expect([nomad.status, nomad.text]).toEqual([400, "invalid character '{' exceeded max depth"]);
  });

  it('is bounded for values already built, aliases included', () => {
    let chain: unknown = 1;
    for (let i = 0; i < 200; i++) chain = [chain];
    expect(valueTooDeep(chain)).toBe(true);
    expect(valueTooDeep(chain, 201)).toBe(false);
    const shared: unknown[] = [];
    let fan: unknown[] = shared;
    for (let i = 0; i < 60; i++) fan = [fan, fan];
    expect(valueTooDeep(fan)).toBe(false);
  });
});

describe('an unexpected failure', () => {
  it('answers each dialect’s generic 500 with the request id, and none of the details', async () => {
    const { token } = await mintToken(server, { project: { id: 'b4d3971c3988463b865f6f920846149e' } });
    const table = process.env.TABLE_NAME;
    // The store becomes unreachable: every read fails with DynamoDB's own error.
    process.env.TABLE_NAME = 'no-such-table';
    try {
      const nomad = await readResponse(await fetch(`${server.url}/v1/jobs`));
      expect([nomad.status, nomad.text]).toEqual([500, 'Internal Server Error']);
      expect(nomad.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
      const gitlab = await readResponse(await fetch(`${server.url}/api/v4/projects/1`, { headers: { 'PRIVATE-TOKEN': server.root } }));
      expect([gitlab.status, gitlab.body]).toEqual([500, { message: '500 Internal Server Error' }]);
      expect(gitlab.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
      const codearts = await readResponse(await fetch(`${server.url}/v3/jobs/0123456789abcdef0123456789abcdef/status`, { headers: { 'X-Auth-Token': token } }));
      expect(codearts.status).toBe(500);
      expect(codearts.body).toEqual({ error_code: 'CB.00060101', error_msg: 'Internal error.', request_id: codearts.headers.get('x-request-id') });
      const lambda = await invokeLambda({ method: 'GET', path: '/v1/jobs', requestId: 'apigw-req-2' });
      expect([lambda.statusCode, lambda.body, lambda.headers?.['x-request-id']]).toEqual([500, 'Internal Server Error', 'apigw-req-2']);
      for (const answer of [nomad.text, gitlab.text, codearts.text, lambda.body]) expect(answer).not.toMatch(/no-such-table|ResourceNotFound|non-existent/i);
    } finally {
      process.env.TABLE_NAME = table;
    }
  });

  it('leaves every other answer with an id too', async () => {
    const ok = await fetch(`${server.url}/v1/jobs`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
  });
});

async function invokeLambda(request: { method: string; path: string; body?: string; requestId: string }) {
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: '',
    headers: { host: 'api.example.com', ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: request.requestId,
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
    },
    body: request.body ?? null,
    isBase64Encoded: false,
  } as unknown as Parameters<typeof handler>[0];
  const answer = await handler(event, { awsRequestId: 'lambda-invocation' } as LambdaContext);
  return answer as { statusCode: number; body: string; headers?: Record<string, string> };
}
