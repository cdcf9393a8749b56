import { describe, expect, it } from 'vitest';
import { app, DIALECT_PREFIXES } from '../../shared/http/app';
import { nomad } from '../../shared/nomad/http/router';
import { gitlab } from '../../shared/gitlab/http/router';
import { codearts } from '../../shared/codearts/http/router';

/**
 * The app loads each dialect on the first request under its prefixes: every route of a dialect
 * must lie under one of them, and what falls outside them answers as before (not-found per
 * prefix, one request id per request).
 */
describe('dialects loaded on first use', () => {
  it.each([
    ['nomad', nomad],
    ['gitlab', gitlab],
    ['codearts', codearts],
  ] as const)('every %s route lies under its prefixes', (name, router) => {
    const prefixes: readonly string[] = DIALECT_PREFIXES[name];
    const outside = router.routes.map((route) => route.path).filter((path) => !prefixes.some((prefix) => path.startsWith(prefix)));
    expect(outside).toEqual([]);
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
