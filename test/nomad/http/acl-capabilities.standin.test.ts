import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';

/**
 * Each endpoint demands exactly the namespace capability Nomad's docs list: a token holding only
 * that capability passes, a token holding another is refused, and an unknown token is refused.
 */
const acl = aclForThisFile();
const tokens: Record<string, string> = {};

const parameterized = {
  ID: 'param',
  Type: 'batch',
  Datacenters: ['dc1'],
  ParameterizedJob: {},
  TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: 'true' } }] }],
};

interface Case {
  capability: string;
  method: string;
  path: string;
  body?: unknown;
}

const CASES: Case[] = [
  { capability: 'list-jobs', method: 'GET', path: '/v1/jobs' },
  { capability: 'read-job', method: 'GET', path: '/v1/job/web' },
  { capability: 'read-job', method: 'GET', path: '/v1/job/web/versions' },
  { capability: 'submit-job', method: 'POST', path: '/v1/jobs', body: { Job: serviceJob('web', 1, 100, 64) } },
  { capability: 'submit-job', method: 'POST', path: '/v1/job/web/evaluate', body: {} },
  { capability: 'dispatch-job', method: 'POST', path: '/v1/job/param/dispatch', body: {} },
  { capability: 'parse-job', method: 'POST', path: '/v1/jobs/parse', body: { JobHCL: 'job "x" {}' } },
  { capability: 'scale-job', method: 'POST', path: '/v1/job/web/scale', body: { Target: { Group: 'app' }, Message: 'note' } },
  { capability: 'read-job-scaling', method: 'GET', path: '/v1/job/web/scale' },
];

beforeAll(async () => {
  await useFreshResources();
  const { root } = acl;
  expect((await api('POST', '/v1/jobs', { Job: serviceJob('web', 1, 100, 64) }, root)).status).toBe(200);
  expect((await api('POST', '/v1/jobs', { Job: parameterized }, root)).status).toBe(200);
  for (const capability of new Set([...CASES.map((c) => c.capability), 'sentinel-override'])) {
    tokens[capability] = await clientToken(acl.bootstrap, capability, `namespace "default" { capabilities = ["${capability}"] }`);
  }
});

describe.each(CASES)('$method $path needs $capability', ({ capability, method, path, body }) => {
  it('passes with the capability', async () => {
    const response = await api(method, path, body, { 'X-Nomad-Token': tokens[capability] });
    expect(response.status, response.text).toBe(200);
  });

  it('is denied without it', async () => {
    const other = capability === 'list-jobs' ? 'read-job' : 'list-jobs';
    const response = await api(method, path, body, { 'X-Nomad-Token': tokens[other] });
    expect([response.status, response.text]).toEqual([403, 'Permission denied']);
  });

  it('is refused for a token that does not exist', async () => {
    const response = await api(method, path, body, { 'X-Nomad-Token': '00000000-0000-0000-0000-000000000000' });
    expect([response.status, response.text]).toEqual([403, 'ACL token not found']);
  });
});

describe('sentinel-override', () => {
  it('is needed on top of submit-job when PolicyOverride is set', async () => {
    const override = { Job: serviceJob('web', 1, 100, 64), PolicyOverride: true };
    const withoutIt = await api('POST', '/v1/jobs', override, { 'X-Nomad-Token': tokens['submit-job'] });
    expect([withoutIt.status, withoutIt.text]).toEqual([403, 'Permission denied']);
    const both = await clientToken(acl.bootstrap, 'submit-override', 'namespace "default" { capabilities = ["submit-job", "sentinel-override"] }');
    expect((await api('POST', '/v1/jobs', override, { 'X-Nomad-Token': both })).status).toBe(200);
    const wrong = await api('POST', '/v1/jobs', override, { 'X-Nomad-Token': 'nope' });
    expect(wrong.text).toBe('ACL token not found');
    const onlyOverride = await api('POST', '/v1/jobs', override, { 'X-Nomad-Token': tokens['sentinel-override'] });
    expect(onlyOverride.status).toBe(403);
  });

  it('lists only namespaces the token may list with namespace=*', async () => {
    const listed = await api('GET', '/v1/jobs?namespace=*', undefined, { 'X-Nomad-Token': tokens['read-job'] });
    expect([listed.status, listed.body]).toEqual([200, []]);
  });
});

describe('node and client routes', () => {
  it('need node:read to read nodes and node:write to act as a client', async () => {
    const reader = { 'X-Nomad-Token': await clientToken(acl.bootstrap, 'node-read', 'node { policy = "read" }') };
    const writer = { 'X-Nomad-Token': await clientToken(acl.bootstrap, 'node-write', 'node { policy = "write" }') };
    const jobReader = { 'X-Nomad-Token': tokens['read-job'] };
    const node = { ...testNode(9), SecretID: 'secret-9' };
    expect((await api('PUT', '/v1/node/register', { Node: node }, reader)).status).toBe(403);
    expect((await api('PUT', '/v1/node/register', { Node: node }, writer)).status).toBe(200);
    for (const path of ['/v1/nodes', `/v1/node/${node.ID}`, `/v1/node/${node.ID}/allocations`]) {
      expect((await api('GET', path, undefined, reader)).status, path).toBe(200);
      expect((await api('GET', path, undefined, jobReader)).status, path).toBe(403);
    }
    const asNode = { 'X-Nomad-Node-ID': node.ID, 'X-Nomad-Node-Secret': node.SecretID };
    const clientCalls: [string, string, unknown][] = [
      ['PUT', `/v1/node/${node.ID}/heartbeat`, undefined],
      ['PUT', `/v1/node/${node.ID}/allocations`, { Allocs: [] }],
      ['PUT', `/v1/node/${node.ID}/eligibility`, { Eligibility: 'eligible' }],
      ['POST', '/v1/client/agent/services', { Upsert: [], Delete: [] }],
    ];
    for (const [method, path, body] of clientCalls) {
      expect((await api(method, path, body, { ...reader, ...asNode })).status, path).toBe(403);
      expect((await api(method, path, body, { ...writer, ...asNode })).status, path).toBe(200);
    }
  });

  it('refuses an evaluation read at once, not after a blocking query waited', async () => {
    const [evaluation] = (await api('GET', '/v1/job/web/evaluations', undefined, { 'X-Nomad-Token': acl.bootstrap })).body;
    // Nothing changes this evaluation, so a query that blocked would answer only when the 50 s wait ran out.
    const started = Date.now();
    const denied = await api('GET', `/v1/evaluation/${evaluation.ID}?index=${evaluation.ModifyIndex}&wait=50s`, undefined, { 'X-Nomad-Token': tokens['list-jobs'] });
    expect([denied.status, denied.text]).toEqual([403, 'Permission denied']);
    expect(Date.now() - started).toBeLessThan(40_000);
  });
});
