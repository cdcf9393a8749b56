import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';
import { CONTRACT, contractErrors } from '../../support/nomad-contract';
import { ranked } from '../../../shared/nomad/services/fuzzy-search';

/** `POST /v1/search` (prefix) and `POST /v1/search/fuzzy`: Nomad's contexts, limits, order and ACL filtering. */
const { root } = aclForThisFile();
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);
const NODE = testNode(1, { NodeResources: { Cpu: { CpuShares: 10_000 }, Memory: { MemoryMB: 10_000 }, Disk: { DiskMB: 10_000 } } });

const redis = {
  ID: 'redis-cache',
  Datacenters: ['dc1'],
  TaskGroups: [{ Name: 'cache', Count: 1, Tasks: [{ Name: 'redis', Driver: 'docker', Config: { image: 'redis:7' }, Resources: { CPU: 10, MemoryMB: 10 } }] }],
};
let webAlloc = '';

beforeAll(async () => {
  await useFreshResources();
  expect((await call('PUT', '/v1/node/register', { Node: NODE })).status).toBe(200);
  for (const name of ['apps', 'bulk']) expect((await call('PUT', `/v1/namespace/${name}`, { Description: name })).status).toBe(200);
  expect((await call('POST', '/v1/jobs', { Job: serviceJob('web', 1, 10, 10) })).status).toBe(200);
  expect((await call('POST', '/v1/jobs', { Job: redis })).status).toBe(200);
  expect((await call('POST', '/v1/jobs?namespace=apps', { Job: serviceJob('api', 1, 10, 10, { Namespace: 'apps' }) })).status).toBe(200);
  for (let i = 0; i < 21; i++) {
    const id = `bulk-${String(i).padStart(2, '0')}`;
    expect((await call('POST', '/v1/jobs?namespace=bulk', { Job: { ...serviceJob(id, 0, 10, 10), Namespace: 'bulk' } })).status).toBe(200);
  }
  await drainEvalQueue();
  webAlloc = (await call('GET', '/v1/job/web/allocations')).body[0].ID;
});

describe('POST /v1/search', () => {
  it('matches job IDs by prefix, with Nomad’s response and query meta', async () => {
    const result = await call('POST', '/v1/search', { Prefix: 'we', Context: 'jobs' });
    expect(result.status, result.text).toBe(200);
    expect(result.body).toEqual({ Matches: { jobs: ['web'] }, Truncations: { jobs: false }, Index: result.body.Index, LastContact: 0, KnownLeader: true, NextToken: '' });
    expect(result.body.Index).toBeGreaterThan(1);
    expect(result.headers.get('X-Nomad-Index')).toBe(String(result.body.Index));
    if (CONTRACT) expect(contractErrors('POST', '/search', result)).toEqual([]);
  });

  it('searches every readable context with all, keys in Go’s sorted order, empty ones null', async () => {
    const result = await call('PUT', '/v1/search', { Prefix: webAlloc.slice(0, 8), Context: 'all' });
    expect(result.status, result.text).toBe(200);
    expect(Object.keys(result.body.Matches)).toEqual(['allocs', 'deployment', 'evals', 'host_volumes', 'jobs', 'namespaces', 'node_pools', 'nodes', 'plugins', 'scaling_policy', 'vars', 'volumes']);
    expect(result.body.Matches.allocs).toEqual([webAlloc]);
    expect(result.body.Matches.plugins).toBeNull();
    expect(result.body.Truncations.allocs).toBe(false);
  });

  it('rounds odd UUID prefixes down and leaves out contexts a non-UUID prefix cannot match', async () => {
    const odd = await call('POST', '/v1/search', { Prefix: webAlloc.slice(0, 7), Context: 'allocs' });
    expect(odd.body.Matches.allocs).toContain(webAlloc);
    const words = await call('POST', '/v1/search', { Prefix: 're', Context: 'all' });
    expect(words.body.Matches.jobs).toEqual(['redis-cache']);
    expect('allocs' in words.body.Matches).toBe(false);
    expect('nodes' in words.body.Matches).toBe(false);
    const nodes = await call('POST', '/v1/search', { Prefix: NODE.ID.slice(0, 4), Context: 'nodes' });
    expect(nodes.body.Matches.nodes).toEqual([NODE.ID]);
    expect((await call('POST', '/v1/search', { Prefix: 'ap', Context: 'namespaces' })).body.Matches.namespaces).toEqual(['apps']);
    expect((await call('POST', '/v1/search', { Prefix: 'de', Context: 'node_pools' })).body.Matches.node_pools).toEqual(['default']);
  });

  it('returns at most 20 IDs per context and says it truncated', async () => {
    const result = await call('POST', '/v1/search?namespace=bulk', { Prefix: 'bulk', Context: 'jobs' });
    expect(result.body.Matches.jobs).toHaveLength(20);
    expect(result.body.Matches.jobs[19]).toBe('bulk-19');
    expect(result.body.Truncations.jobs).toBe(true);
    const everywhere = await call('POST', '/v1/search', { Prefix: 'a', Context: 'jobs', Namespace: '*' });
    expect(everywhere.body.Matches.jobs).toEqual(['api']);
  });

  it('refuses unknown contexts and other methods', async () => {
    const bad = await call('POST', '/v1/search', { Prefix: 'a', Context: 'bogus' });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe(`context must be one of [allocs jobs nodes node_pools evals deployment plugins volumes scaling_policy vars namespaces host_volumes] or 'all' for all contexts; got "bogus"`);
    expect((await call('POST', '/v1/search', { Prefix: 'a' })).text).toMatch(/got ""$/);
    expect((await call('GET', '/v1/search')).status).toBe(405);
  });

  it('needs the context’s permission, and with all leaves out what the token cannot read', async () => {
    const reader = await clientToken(root['X-Nomad-Token'], 'apps-reader', 'namespace "apps" { policy = "read" }');
    const as = (body: unknown, query = '') => api('POST', `/v1/search${query}`, body, { 'X-Nomad-Token': reader });
    expect((await as({ Prefix: 'w', Context: 'jobs' })).status).toBe(403);
    expect((await as({ Prefix: 'a', Context: 'nodes' })).status).toBe(403);
    expect((await as({ Prefix: 'a', Context: 'jobs' }, '?namespace=apps')).body.Matches.jobs).toEqual(['api']);
    const all = await as({ Prefix: '', Context: 'all' }, '?namespace=*');
    expect(all.status).toBe(200);
    expect(all.body.Matches.jobs).toEqual(['api']);
    expect(all.body.Matches.namespaces).toEqual(['apps']);
    expect('nodes' in all.body.Matches).toBe(false);
  });
});

describe('POST /v1/search/fuzzy', () => {
  it('matches names anywhere, case-insensitively, with the scopes Nomad gives', async () => {
    const result = await call('POST', '/v1/search/fuzzy', { Text: 'REDIS', Context: 'all' });
    expect(result.status, result.text).toBe(200);
    expect(result.body.Matches.jobs).toEqual([{ ID: 'redis-cache', Scope: ['default', 'redis-cache'] }]);
    expect(result.body.Matches.tasks).toEqual([{ ID: 'redis', Scope: ['default', 'redis-cache', 'cache'] }]);
    expect(result.body.Matches.images).toEqual([{ ID: 'redis:7', Scope: ['default', 'redis-cache', 'cache', 'redis'] }]);
    // Nothing runs docker here, so no allocation was placed to match.
    expect(result.body.Matches.allocs).toBeNull();
    const allocs = await call('POST', '/v1/search/fuzzy', { Text: 'web.app', Context: 'allocs' });
    expect(allocs.body.Matches).toEqual({ allocs: [{ ID: 'web.app[0]', Scope: ['default', webAlloc] }] });
    expect(result.body).toMatchObject({ LastContact: 0, KnownLeader: true, NextToken: '' });
    if (CONTRACT) expect(contractErrors('POST', '/search/fuzzy', result)).toEqual([]);
  });

  it('orders by match position, then length, and leaves Scope out where there is none', async () => {
    const names = ['my-cache', 'cache-warmer', 'cached', 'cache'].map((ID) => ({ ID, at: ID.indexOf('cache') }));
    expect(ranked(names).matches.map((match) => match.ID)).toEqual(['cache', 'cached', 'cache-warmer', 'my-cache']);
    const many = Array.from({ length: 101 }, (_, i) => ({ ID: `n${String(i).padStart(3, '0')}`, at: 0 }));
    expect([ranked(many).matches.length, ranked(many).truncated]).toEqual([100, true]);
    const sleeping = await call('POST', '/v1/search/fuzzy', { Text: 'sl', Context: 'jobs' });
    expect(sleeping.body.Matches.commands).toEqual([{ ID: 'sleep', Scope: ['default', 'web', 'app', 'server'] }]);
    const ordered = await call('POST', '/v1/search/fuzzy', { Text: 'ca', Context: 'jobs' });
    expect(ordered.body.Matches.groups).toEqual([{ ID: 'cache', Scope: ['default', 'redis-cache'] }]);
    expect(ordered.body.Matches.jobs).toEqual([{ ID: 'redis-cache', Scope: ['default', 'redis-cache'] }]);
    const spaces = await call('POST', '/v1/search/fuzzy', { Text: 'PP', Context: 'namespaces' });
    expect(spaces.body.Matches.namespaces).toEqual([{ ID: 'apps' }]);
    const nodes = await call('POST', '/v1/search/fuzzy', { Text: 'de-1', Context: 'nodes' });
    expect(nodes.body.Matches.nodes).toEqual([{ ID: 'node-1', Scope: [NODE.ID] }]);
    const positions = await call('POST', '/v1/search/fuzzy', { Text: 'ul', Context: 'jobs', Namespace: 'bulk' });
    expect(positions.body.Matches.jobs.slice(0, 2).map((match: any) => match.ID)).toEqual(['bulk-00', 'bulk-01']);
  });

  it('looks at the first 20 objects of a context and says so', async () => {
    const result = await call('POST', '/v1/search/fuzzy?namespace=bulk', { Text: 'bulk', Context: 'jobs' });
    expect(result.body.Matches.jobs).toHaveLength(20);
    expect(result.body.Truncations.jobs).toBe(true);
  });

  it('refuses short texts, and filters every object by its namespace with *', async () => {
    const short = await call('POST', '/v1/search/fuzzy', { Text: 'r', Context: 'all' });
    expect([short.status, short.text]).toEqual([400, 'fuzzy search query must be at least 2 characters, got 1']);
    const reader = await clientToken(root['X-Nomad-Token'], 'apps-only', 'namespace "apps" { policy = "read" }');
    const mine = await api('POST', '/v1/search/fuzzy', { Text: 'ap', Context: 'jobs', Namespace: '*' }, { 'X-Nomad-Token': reader });
    expect(mine.status).toBe(200);
    expect(mine.body.Matches.jobs).toEqual([{ ID: 'api', Scope: ['apps', 'api'] }]);
    expect((await api('POST', '/v1/search/fuzzy', { Text: 'we', Context: 'jobs' }, { 'X-Nomad-Token': reader })).status).toBe(403);
  });
});
