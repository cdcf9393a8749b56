import { describe, expect, it } from 'vitest';
import { app, DIALECT_PREFIXES } from '../../shared/http/app';
import { NOMAD_ROUTE_GROUPS } from '../../shared/nomad/http/router';
import { gitlab } from '../../shared/gitlab/http/router';
import { codearts } from '../../shared/codearts/http/router';

/**
 * The app loads each dialect on the first request under its prefixes: every route of a dialect
 * must lie under one of them, and what falls outside them answers as before (not-found per
 * prefix, one request id per request).
 */
describe('dialects loaded on first use', () => {
  it.each([
    ['gitlab', gitlab],
    ['codearts', codearts],
  ] as const)('every %s route lies under its prefixes', (name, router) => {
    const prefixes: readonly string[] = DIALECT_PREFIXES[name];
    const outside = router.routes.map((route) => route.path).filter((path) => !prefixes.some((prefix) => path.startsWith(prefix)));
    expect(outside).toEqual([]);
  });

  it('loads Nomad routes by group: each route lies under one of its group\'s segments, one group per segment', async () => {
    const segments = NOMAD_ROUTE_GROUPS.flatMap((group) => group.segments);
    expect(new Set(segments).size).toBe(segments.length);
    let count = 0;
    for (const group of NOMAD_ROUTE_GROUPS) {
      const routes = (await group.load()).routes.map((route) => route.path);
      count += routes.length;
      const outside = routes.filter((path) => !group.segments.some((segment) => path === `/v1/${segment}` || path.startsWith(`/v1/${segment}/`)));
      expect(outside).toEqual([]);
    }
    expect(count).toBeGreaterThan(100);
  });

  it('answers in each Nomad group as the one router did: its own routes, 405 for another method, 404 past them', async () => {
    expect(await (await app.request('http://api.example.com/v1/status/leader')).json()).toBe('api.example.com:80');
    expect((await app.request('/v1/status/leader', { method: 'DELETE' })).status).toBe(405);
    expect((await app.request('/v1/jobs/parse', { method: 'GET' })).status).toBe(405);
    const missInGroup = await app.request('/v1/status/nothing');
    expect(missInGroup.status).toBe(404);
    expect(await missInGroup.text()).toBe('');
  });

  it('answers unknown paths in each dialect as that dialect does, with one request id', async () => {
    const nomadMiss = await app.request('/v1/no-such-thing');
    expect(nomadMiss.status).toBe(404);
    expect(await nomadMiss.text()).toBe('');
    expect(nomadMiss.headers.get('X-Request-Id')).toMatch(/^[0-9a-f]{32}$/);

    const gitlabMiss = await app.request('/api/v4/no-such-thing');
    expect(gitlabMiss.status).toBe(404);
    expect(await gitlabMiss.json()).toEqual({ error: '404 Not Found' });
    expect(gitlabMiss.headers.get('X-Content-Type-Options')).toBe('nosniff');

    const codeartsMiss = await app.request('/v3/no-such-thing');
    const body = (await codeartsMiss.json()) as { error_code: string; request_id: string };
    expect(body.error_code).toBe('CB.00060214');
    expect(codeartsMiss.headers.get('X-Request-Id')).toBe(body.request_id);

    const elsewhere = await app.request('/nowhere');
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).toBe('');
  });

  it('hands git smart HTTP paths to the git server, also under a dialect prefix', async () => {
    // Without `.git`, discovery is redirected to the `.git` form before the project is looked up.
    const outside = await app.request('/group/project/info/refs?service=git-upload-pack');
    expect(outside.status).toBe(301);
    expect(outside.headers.get('Location')).toBe('/group/project.git/info/refs?service=git-upload-pack');
    const underNomad = await app.request('/v1/project/info/refs?service=git-upload-pack');
    expect(underNomad.status).toBe(301);
    expect(underNomad.headers.get('Location')).toBe('/v1/project.git/info/refs?service=git-upload-pack');
  });
});
