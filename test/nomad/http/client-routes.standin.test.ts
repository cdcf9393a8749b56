import { beforeAll, describe, expect, it } from 'vitest';
import { handleWebSocketEvent } from '../../../shared/nomad/http/apigw-relay';
import { api, drainEvalQueue, testNode } from '../../support/nomad';
import { useFreshResources } from '../../support/resources';

/**
 * The agent extensions and Nomad's client reads, driven in process as agents would call them:
 * node authentication, log chunk upload and commit, service registrations, and the AWS relay's
 * checks on connect (the parts that need no API Gateway to post to).
 */
const NODE = { ...testNode(1), SecretID: 'secret-1' };
const OTHER = { ...testNode(2), SecretID: 'secret-2' };
const as = (node: { ID: string; SecretID: string }) => ({ 'X-Nomad-Node-ID': node.ID, 'X-Nomad-Node-Secret': node.SecretID });
let allocId = '';

function job(id: string) {
  return {
    Job: {
      ID: id,
      Datacenters: ['dc1'],
      Constraints: [{ LTarget: '${node.unique.id}', RTarget: NODE.ID, Operand: '=' }],
      TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: 'true' }, Resources: { CPU: 100, MemoryMB: 32 }, Actions: [{ Name: 'hi', Command: 'echo', Args: ['hi'] }] }] }],
    },
  };
}

beforeAll(async () => {
  await useFreshResources();
  for (const node of [NODE, OTHER]) expect((await api('PUT', '/v1/node/register', { Node: node })).status).toBe(200);
  expect((await api('POST', '/v1/jobs', job('web'))).status).toBe(200);
  await drainEvalQueue();
  allocId = (await api('GET', '/v1/job/web/allocations')).body[0].ID;
});

describe('agent extensions', () => {
  const chunk = { Task: 't', Type: 'stdout', Offset: 0, Size: 6 };

  it('authenticate the node and check the allocation is its own', async () => {
    const body = { AllocID: allocId, Chunks: [chunk] };
    expect(await api('POST', '/v1/client/agent/logs/uploads', body)).toMatchObject({ status: 400, text: 'missing node ID (X-Nomad-Node-ID)' });
    expect(await api('POST', '/v1/client/agent/logs/uploads', body, { ...as(NODE), 'X-Nomad-Node-Secret': 'wrong' })).toMatchObject({
      status: 403,
      text: 'node secret ID does not match',
    });
    expect((await api('POST', '/v1/client/agent/logs/uploads', body, as(OTHER))).status).toBe(403);
    expect((await api('POST', '/v1/client/agent/logs/uploads', { AllocID: allocId, Chunks: [{ ...chunk, Type: 'both' }] }, as(NODE))).status).toBe(400);
  });

  it('hand out presigned uploads and index a chunk only once it is in S3', async () => {
    const uploads = await api('POST', '/v1/client/agent/logs/uploads', { AllocID: allocId, Chunks: [chunk] }, as(NODE));
    expect(uploads.status).toBe(200);
    const [upload] = uploads.body.Uploads;
    expect(upload).toMatchObject(chunk);
    expect(upload.URL).toMatch(/X-Amz-Signature=/);

    const early = await api('POST', '/v1/client/agent/logs/chunks', { AllocID: allocId, Chunks: [chunk] }, as(NODE));
    expect(early).toMatchObject({ status: 400, text: 'log chunk t/stdout@0 was not uploaded (expected 6 bytes)' });
    expect((await fetch(upload.URL, { method: 'PUT', body: 'hello\n' })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await api('POST', '/v1/client/agent/logs/chunks', { AllocID: allocId, Chunks: [chunk] }, as(NODE))).status).toBe(200);

    expect(await api('GET', `/v1/client/fs/logs/${allocId}?task=t&type=stdout&plain=true`)).toMatchObject({
      status: 404,
      text: 'task "t" not started yet. No logs available',
    });
    const started = { State: 'running', Failed: false, Restarts: 0, LastRestart: null, StartedAt: new Date().toISOString(), FinishedAt: null, Events: [] };
    await api('PUT', `/v1/node/${NODE.ID}/allocations`, { Allocs: [{ ID: allocId, ClientStatus: 'running', TaskStates: { t: started } }] });
    expect(await api('GET', `/v1/client/fs/logs/${allocId}?task=t&type=stdout&plain=true`)).toMatchObject({ status: 200, text: 'hello\n' });
    expect((await api('GET', `/v1/client/fs/logs/${allocId}?task=t&type=stdout&plain=true&offset=2`)).text).toBe('llo\n');
  });

  it('keep service registrations while their allocation is live, for their own node only', async () => {
    const registration = {
      ID: `_nomad-task-${allocId}-t-api-http`,
      ServiceName: 'api',
      Namespace: 'default',
      NodeID: NODE.ID,
      Datacenter: 'dc1',
      JobID: 'web',
      AllocID: allocId,
      Tags: ['a', 'b'],
      Address: '10.0.0.1',
      Port: 8080,
    };
    expect((await api('POST', '/v1/client/agent/services', { Upsert: [{ ...registration, NodeID: OTHER.ID }] }, as(OTHER))).status).toBe(403);
    expect((await api('POST', '/v1/client/agent/services', { Upsert: [{ ...registration, JobID: 'other' }] }, as(NODE))).status).toBe(400);
    const written = await api('POST', '/v1/client/agent/services', { Upsert: [registration] }, as(NODE));
    expect(written.status).toBe(200);
    const listed = await api('GET', '/v1/job/web/services');
    expect(listed.body).toEqual([{ ...registration, CreateIndex: written.body.Index, ModifyIndex: written.body.Index }]);
    expect(listed.headers.get('X-Nomad-Index')).toBe(String(written.body.Index));
    expect((await api('GET', '/v1/service/api')).body).toHaveLength(1);
    expect((await api('GET', '/v1/services')).body).toEqual([{ Namespace: 'default', Services: [{ ServiceName: 'api', Tags: ['a', 'b'] }] }]);
    // Another node cannot remove it.
    await api('POST', '/v1/client/agent/services', { Delete: [{ ID: registration.ID, Namespace: 'default', JobID: 'web' }] }, as(OTHER));
    expect((await api('GET', '/v1/job/web/services')).body).toHaveLength(1);

    // The allocation finishes without the agent deregistering (a lost node, say): the registration goes.
    await api('PUT', `/v1/node/${NODE.ID}/allocations`, { Allocs: [{ ID: allocId, ClientStatus: 'failed' }] });
    expect((await api('GET', '/v1/job/web/services')).body).toEqual([]);
    expect((await api('GET', '/v1/services')).body).toEqual([]);
  });
});

describe('the node allocations watch', () => {
  it('answers a node without allocations with a non-zero index that a blocking query waits on', async () => {
    const empty = await api('GET', `/v1/node/${OTHER.ID}/allocations`);
    expect(empty.body).toEqual([]);
    const index = empty.headers.get('X-Nomad-Index');
    expect(index).toBe(String((await api('GET', `/v1/node/${OTHER.ID}`)).body.CreateIndex));
    const started = Date.now();
    const waited = await api('GET', `/v1/node/${OTHER.ID}/allocations?index=${index}&wait=300ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(waited.headers.get('X-Nomad-Index')).toBe(index);
  });
});

describe('the AWS action relay on connect', () => {
  const connect = (query: Record<string, string>, headers: Record<string, string> = {}) =>
    handleWebSocketEvent({ requestContext: { routeKey: '$connect', connectionId: `c-${Math.random()}` }, queryStringParameters: query, headers });

  it('refuses callers whose request cannot be served, with the reason', async () => {
    expect(await connect({ action: 'hi' })).toEqual({ statusCode: 400, body: 'missing job_id' });
    expect(await connect({ job_id: 'web', action: 'hi', allocID: 'nope', task: 't' })).toEqual({ statusCode: 400, body: 'allocation nope not found in job web' });
    expect(await connect({ job_id: 'web', action: 'bye', allocID: allocId, task: 't' })).toEqual({ statusCode: 400, body: 'action bye not found' });
    expect(await connect({ job_id: 'web', action: 'hi', allocID: allocId, task: 'x' })).toEqual({ statusCode: 400, body: 'task x not found in allocation' });
  });

  it('lets agents in only as a known node with its secret', async () => {
    expect(await connect({ role: 'agent' }, { 'x-nomad-node-id': '00000000-0000-0000-0000-00000000dead' })).toMatchObject({ statusCode: 404 });
    expect(await connect({ role: 'agent' }, { 'x-nomad-node-id': NODE.ID, 'x-nomad-node-secret': 'no' })).toMatchObject({ statusCode: 403 });
    expect(await connect({ role: 'agent' }, { 'X-Nomad-Node-ID': NODE.ID, 'X-Nomad-Node-Secret': NODE.SecretID })).toEqual({ statusCode: 200 });
  });

  it('ignores frames of connections it does not know', async () => {
    expect(await handleWebSocketEvent({ requestContext: { routeKey: '$default', connectionId: 'unknown' }, body: '{}' })).toEqual({ statusCode: 410 });
  });
});
