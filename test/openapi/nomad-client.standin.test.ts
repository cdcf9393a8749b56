import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../agent/common/logger';
import { startNomadAgent, type NomadAgent } from '../../agent/nomad/agent';
import { aclForThisFile } from '../support/nomad-acl';
import { callUrl, eventually, startApiServer, type ApiServer } from '../support/nomad-http';
import { useFreshResources } from '../support/resources';
import { DocumentedAnswers } from '../support/openapi';

/**
 * The operations of `/openapi/nomad.json` that read a node through its agent (an allocation's
 * files and usage), called on a live API server with a real agent running a raw_exec task.
 */
const { bootstrap, root } = aclForThisFile();
const dataDir = mkdtempSync(join(tmpdir(), 'openapi-client-'));
let server: ApiServer;
let agent: NomadAgent;
let answers: DocumentedAnswers;
let allocId = '';

const raw = (method: string, path: string, headers: Record<string, string> = root) => callUrl(server.url, method, path, undefined, headers);
const call = async (template: string, path: string, headers: Record<string, string> = root) => answers.check('GET', template, await raw('GET', path, headers));

beforeAll(async () => {
  await useFreshResources();
  server = await startApiServer('openapi-client-worker');
  answers = new DocumentedAnswers((await raw('GET', '/openapi/nomad.json')).body);
  // stopTasksOnExit: the task runs until stopped, and its folder goes with the test.
  agent = startNomadAgent(
    { api: server.url, token: bootstrap, dataDir: join(dataDir, 'a1'), name: 'docs', datacenter: 'dc1', nodePool: 'default', nodeClass: '', meta: {}, drivers: ['raw_exec'], address: '127.0.0.1', logLevel: 'error', stopTasksOnExit: true },
    createLogger('error'),
  );
  await agent.ready;
  const script = 'printf "0123456789" > local/digits.txt; printf "\\001\\002" > local/bytes.bin; echo ready; while true; do sleep 0.1; done';
  const task = { Name: 't', Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', script] }, KillTimeout: 1e9, Resources: { CPU: 100, MemoryMB: 64 } };
  const job = { ID: 'files', Type: 'service', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, Tasks: [task] }] };
  expect((await callUrl(server.url, 'POST', '/v1/jobs', { Job: job }, root)).status).toBe(200);
  const allocs = await eventually(() => raw('GET', '/v1/job/files/allocations'), (r) => r.body?.[0]?.ClientStatus === 'running');
  allocId = allocs.body[0].ID;
  await eventually(() => raw('GET', `/v1/client/fs/cat/${allocId}?path=alloc/logs/t.stdout.0`), (r) => r.text.includes('ready'));
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the Nomad document against a node's answers", () => {
  it('documents every answer of the allocation file system and its stats', async () => {
    const unknown = '00000000-0000-0000-0000-000000000000';
    const listed = await call('/v1/client/fs/ls/{alloc_id}', `/v1/client/fs/ls/${allocId}?path=t/local`);
    expect(listed.body.map((entry: { Name: string }) => entry.Name)).toEqual(expect.arrayContaining(['digits.txt', 'bytes.bin']));
    expect((await call('/v1/client/fs/ls/{alloc_id}', `/v1/client/fs/ls/${allocId}`)).body.some((entry: { IsDir: boolean }) => entry.IsDir)).toBe(true);
    expect((await call('/v1/client/fs/ls/{alloc_id}', `/v1/client/fs/ls/${unknown}`)).status).toBe(404);
    expect((await call('/v1/client/fs/ls/{alloc_id}', `/v1/client/fs/ls/${allocId}`, {})).status).toBe(403);
    const stat = await call('/v1/client/fs/stat/{alloc_id}', `/v1/client/fs/stat/${allocId}?path=t/local/digits.txt`);
    expect([stat.body.Size, stat.body.IsDir, stat.body.ContentType]).toEqual([10, false, expect.stringMatching(/^text\/plain/)]);
    expect((await call('/v1/client/fs/stat/{alloc_id}', `/v1/client/fs/stat/${allocId}`)).status).toBe(400);
    expect((await call('/v1/client/fs/stat/{alloc_id}', `/v1/client/fs/stat/${unknown}?path=x`)).status).toBe(404);
    expect((await call('/v1/client/fs/cat/{alloc_id}', `/v1/client/fs/cat/${allocId}?path=t/local/digits.txt`)).text).toBe('0123456789');
    expect((await call('/v1/client/fs/cat/{alloc_id}', `/v1/client/fs/cat/${allocId}?path=t/local/bytes.bin`)).headers.get('content-type')).toBe('application/octet-stream');
    expect((await call('/v1/client/fs/cat/{alloc_id}', `/v1/client/fs/cat/${allocId}`)).status).toBe(400);
    expect((await call('/v1/client/fs/cat/{alloc_id}', `/v1/client/fs/cat/${allocId}?path=t/local/digits.txt`, {})).status).toBe(403);

    const stats = await call('/v1/client/allocation/{alloc_id}/stats', `/v1/client/allocation/${allocId}/stats`);
    expect(stats.body.Tasks.t.ResourceUsage.MemoryStats.RSS).toBeGreaterThan(0);
    expect((await call('/v1/client/allocation/{alloc_id}/stats', `/v1/client/allocation/${allocId}/stats?task=other`)).body.Tasks).toEqual({});
    expect((await call('/v1/client/allocation/{alloc_id}/stats', `/v1/client/allocation/${unknown}/stats`)).status).toBe(404);
    expect((await call('/v1/client/allocation/{alloc_id}/stats', `/v1/client/allocation/${allocId}/stats`, {})).status).toBe(403);

    expect(answers.unexercised({ tag: 'Client' })).toEqual([]);
  });
});
