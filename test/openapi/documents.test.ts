import { Validator } from '@seriousme/openapi-schema-validator';
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../shared/http/app';
import { codearts } from '../../shared/codearts/http/router';
import { gitlab } from '../../shared/gitlab/http/router';
import { parseJobPath } from '../../shared/nomad/http/job-path';
import { jobHandlers } from '../../shared/nomad/http/job-routes';
import { NOMAD_ROUTE_GROUPS } from '../../shared/nomad/http/router';
import { dialectDocument, DOCUMENTED_DIALECTS, type DocumentedDialect } from '../../shared/openapi/routes';
import { DocumentedAnswers } from '../support/openapi';

/**
 * The three OpenAPI documents: valid OpenAPI 3.1, every documented operation a route the dialect
 * really has, served at /openapi/<dialect>.json and listed on the reference page.
 */
const ROUTERS: Record<DocumentedDialect, Pick<Hono, 'routes'>> = { nomad: { routes: [] }, gitlab, codearts };

// Nomad's routes load in groups on first use (router.ts): every group's, in order.
beforeAll(async () => {
  const groups = await Promise.all(NOMAD_ROUTE_GROUPS.map((group) => group.load()));
  ROUTERS.nomad = { routes: groups.flatMap((group) => group.routes) };
});
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

async function operations(dialect: DocumentedDialect): Promise<{ method: string; path: string }[]> {
  const document = await dialectDocument(dialect);
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) => METHODS.filter((method) => item[method]).map((method) => ({ method: method.toUpperCase(), path })));
}

/** A Hono route path as a regular expression (`:name`, `:name{re}`, `*`). */
function routePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      const param = /^:\w+(?:\{(.+)\})?$/.exec(segment);
      if (param) return param[1] ?? '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Whether the dialect routes `method path`: a route registered for that very method (catch-alls
 * and middleware are registered for every method, so they prove nothing), or for Nomad's
 * `/v1/job/<id>/<action>` the handler its job-path dispatcher holds for the action.
 */
function isRouted(dialect: DocumentedDialect, method: string, path: string): boolean {
  const sample = path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'file_path' ? 'dir%2Ffile.txt' : name.endsWith('_path') ? 'dir/file.txt' : name === 'id' || name.endsWith('_id') || name === 'build_no' ? '12' : 'sample'));
  if (dialect === 'nomad' && sample.startsWith('/v1/job/')) {
    const jobPath = parseJobPath(sample);
    return !!jobPath && !!jobHandlers[jobPath.action]?.[(method === 'PUT' ? 'POST' : method) as 'GET' | 'POST' | 'DELETE'];
  }
  return ROUTERS[dialect].routes.some((route) => route.method === method && routePattern(route.path).test(sample));
}

describe('the OpenAPI documents', () => {
  it.each(DOCUMENTED_DIALECTS)('%s is a valid OpenAPI 3.1 document', async (dialect) => {
    const document = await dialectDocument(dialect);
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate({ ...structuredClone(document) });
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it.each(DOCUMENTED_DIALECTS)('every operation of %s is a route of the dialect', async (dialect) => {
    const documented = await operations(dialect);
    expect(documented.length).toBeGreaterThan(5);
    expect(documented.filter(({ method, path }) => !isRouted(dialect, method, path))).toEqual([]);
  });

  it('would notice an operation that is not routed', () => {
    expect(isRouted('gitlab', 'DELETE', '/api/v4/projects/{id}/pipelines/{pipeline_id}/jobs')).toBe(false);
    expect(isRouted('nomad', 'DELETE', '/v1/job/{job_id}/plan')).toBe(false);
    expect(isRouted('codearts', 'GET', '/v3/jobs/stop')).toBe(false);
  });

  it('renders request schemas from the routes’ own validators', async () => {
    const nomadDoc = await dialectDocument('nomad');
    const register = nomadDoc.paths?.['/v1/jobs']?.post?.requestBody as { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
    expect(Object.keys(register.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['Job', 'EnforceIndex', 'JobModifyIndex', 'Submission']));
    const gitlabDoc = await dialectDocument('gitlab');
    const scope = gitlabDoc.paths?.['/api/v4/projects/{id}/jobs']?.get?.parameters?.find((parameter) => 'name' in parameter && parameter.name === 'scope');
    expect(scope).toMatchObject({ in: 'query', schema: { type: 'array', items: { type: 'string', enum: expect.arrayContaining(['running', 'success']) } } });
    const orderBy = gitlabDoc.paths?.['/api/v4/projects']?.get?.parameters?.find((parameter) => 'name' in parameter && parameter.name === 'order_by');
    expect(orderBy).toMatchObject({ in: 'query', schema: { type: 'string', enum: expect.arrayContaining(['id', 'created_at']) } });
  });

  it('serves each document as JSON, built once', async () => {
    for (const dialect of DOCUMENTED_DIALECTS) {
      const response = await app.request(`/openapi/${dialect}.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(JSON.parse(JSON.stringify(await dialectDocument(dialect))));
    }
    expect(dialectDocument('nomad')).toBe(dialectDocument('nomad'));
    expect((await app.request('/openapi/nope.json')).status).toBe(404);
  });

  it('lists every operation on the reference page, under a CSP that allows no script', async () => {
    const response = await app.request('/openapi/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(response.headers.get('content-security-policy')).not.toMatch(/script-src/);
    const page = await response.text();
    expect(page).not.toMatch(/<script/i);
    for (const dialect of DOCUMENTED_DIALECTS) {
      expect(page).toContain(`href="/openapi/${dialect}.json"`);
      for (const { method, path } of await operations(dialect)) expect(page).toContain(`id="${dialect}-${method.toLowerCase()}-${path}"`);
    }
    expect((await app.request('/openapi')).headers.get('location')).toBe('/openapi/');
  });

  it('fails an answer whose body does not match its documented schema', async () => {
    const answers = new DocumentedAnswers(await dialectDocument('codearts'));
    const answer = (status: number, body: unknown, type = 'application/json;charset=UTF-8') => ({ status, text: JSON.stringify(body), body, headers: new Headers({ 'content-type': type }) });
    expect(answers.problems('GET', '/v3/jobs/{job_id}/status', answer(200, { result: true }))).toEqual([]);
    expect(answers.problems('GET', '/v3/jobs/{job_id}/status', answer(200, { result: 'yes' })).join()).toMatch(/\/result must be boolean/);
    expect(answers.problems('GET', '/v3/jobs/{job_id}/status', answer(200, { result: true, extra: 1 })).join()).toMatch(/additional properties/);
    expect(answers.problems('GET', '/v3/jobs/{job_id}/status', answer(418, {})).join()).toMatch(/not documented/);
    expect(answers.problems('GET', '/v3/jobs/{job_id}/status', answer(200, { result: true }, 'text/html')).join()).toMatch(/documented application\/json/);
    expect(answers.problems('GET', '/v3/jobs/{job_id}/status', answer(404, { error_code: 'CB.00060201', error_msg: 'x' })).join()).toMatch(/request_id/);
    expect(answers.unexercised()).not.toContain('GET /v3/jobs/{job_id}/status');
    expect(answers.unexercised()).toContain('POST /v3/jobs/stop');
  });
});
