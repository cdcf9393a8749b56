import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../../shared/http/app';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';

/** `GET /v1/event/stream`: Nomad's frames and heartbeats from the table's change stream, topics, keys, namespaces, resumable index. */
const acl = aclForThisFile();
const root = acl.root;
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);

/** A live stream read line by line. */
function open(query: string, headers: Record<string, string> = root) {
  const controller = new AbortController();
  const response = app.request(`/v1/event/stream${query}`, { headers, signal: controller.signal });
  let buffer = '';
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const decoder = new TextDecoder();
  return {
    response,
    close: () => controller.abort(),
    /** Lines until one satisfies `wanted` (every line read is kept in `seen`). */
    async until(wanted: (line: any) => boolean, seen: any[] = [], timeoutMs = 30_000): Promise<any[]> {
      reader ??= (await response).body!.getReader();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const newline = buffer.indexOf('\n');
        if (newline >= 0) {
          const line = JSON.parse(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
          seen.push(line);
          if (wanted(line)) return seen;
          continue;
        }
        if (Date.now() > deadline) throw new Error(`no wanted line within ${timeoutMs} ms; saw ${JSON.stringify(seen).slice(0, 2000)}`);
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`stream ended; saw ${JSON.stringify(seen).slice(0, 2000)}`);
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
  };
}

const events = (lines: any[]) => lines.flatMap((line) => line.Events ?? []);
let streams: ReturnType<typeof open>[] = [];
afterEach(() => {
  for (const stream of streams) stream.close();
  streams = [];
  delete process.env.EVENT_STREAM_MAX_MS;
});
function live(query: string, headers?: Record<string, string>) {
  const stream = open(query, headers);
  streams.push(stream);
  return stream;
}

beforeAll(async () => {
  await useFreshResources();
  expect((await call('PUT', '/v1/namespace/apps', { Description: 'apps' })).status).toBe(200);
});

describe('GET /v1/event/stream', () => {
  it('sends {} at once, then frames of Job and Evaluation events as a job is registered', async () => {
    const stream = live('?topic=Job&topic=Evaluation');
    const response = await stream.response;
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('Cache-Control')).toBe('no-cache');
    expect(await stream.until(() => true)).toEqual([{}]);
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('web', 1, 100, 64) })).status).toBe(200);
    const seen: any[] = [];
    const has = (topic: string) => events(seen).some((event: any) => event.Topic === topic);
    await stream.until(() => has('Job') && has('Evaluation'), seen);
    const frame = seen.find((line) => line.Events?.some((event: any) => event.Topic === 'Job'));
    expect(Object.keys(frame)).toEqual(['Index', 'Events']);
    const job = frame.Events.find((event: any) => event.Topic === 'Job');
    expect(Object.keys(job)).toEqual(['Topic', 'Type', 'Key', 'Namespace', 'FilterKeys', 'Index', 'Payload']);
    expect(job).toMatchObject({ Topic: 'Job', Type: 'JobRegistered', Key: 'web', Namespace: 'default', FilterKeys: null, Index: frame.Index });
    expect(job.Payload.Job).toMatchObject({ ID: 'web', Namespace: 'default', Type: 'service' });
    const all = events(seen);
    const evaluation = all.find((event: any) => event.Topic === 'Evaluation');
    expect(evaluation).toMatchObject({ Type: 'JobRegistered', Namespace: 'default', FilterKeys: ['web', ''] });
    expect(evaluation.Payload.Evaluation).toMatchObject({ JobID: 'web', TriggeredBy: 'job-register' });
    expect(all.every((event: any) => event.Topic === 'Job' || event.Topic === 'Evaluation')).toBe(true);
  });

  it('streams nodes and allocations: registration, plan results and client updates', async () => {
    const stream = live('?topic=Node&topic=Allocation');
    await stream.until(() => true);
    const node = { ...testNode(1, { NodeResources: { Cpu: { CpuShares: 4000 }, Memory: { MemoryMB: 4000 }, Disk: { DiskMB: 10_000 } } }), SecretID: 's1' };
    expect((await call('PUT', '/v1/node/register', { Node: node })).status).toBe(200);
    const registered = events(await stream.until((line) => events([line]).some((event: any) => event.Topic === 'Node')));
    const nodeEvent = registered.find((event: any) => event.Topic === 'Node');
    expect(nodeEvent).toMatchObject({ Type: 'NodeRegistration', Key: node.ID, Namespace: '', FilterKeys: null });
    expect(nodeEvent.Payload.Node).toMatchObject({ ID: node.ID, Name: 'node-1' });
    expect(nodeEvent.Payload.Node).not.toHaveProperty('SecretID');

    await drainEvalQueue();
    const placed = events(await stream.until((line) => events([line]).some((event: any) => event.Topic === 'Allocation')));
    const alloc = placed.find((event: any) => event.Topic === 'Allocation');
    expect(alloc).toMatchObject({ Type: 'PlanResult', Namespace: 'default', FilterKeys: ['web', expect.any(String)] });
    expect(alloc.Payload.Allocation).toMatchObject({ ID: alloc.Key, JobID: 'web', Job: null, ClientStatus: 'pending' });

    const update = { ID: alloc.Key, ClientStatus: 'running', TaskStates: {} };
    const answered = await api('PUT', `/v1/node/${node.ID}/allocations`, { Allocs: [update] }, { ...root, 'X-Nomad-Node-ID': node.ID, 'X-Nomad-Node-Secret': 's1' });
    expect(answered.status, answered.text).toBe(200);
    const running = events(await stream.until((line) => events([line]).some((event: any) => event.Type === 'AllocationUpdated')));
    expect(running.find((event: any) => event.Type === 'AllocationUpdated').Payload.Allocation.ClientStatus).toBe('running');
  });

  it('filters by key (Key or FilterKeys) and by namespace', async () => {
    const stream = live('?topic=Job:api&topic=Evaluation:api&namespace=apps');
    await stream.until(() => true);
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('other', 0, 10, 10) })).status).toBe(200);
    expect((await call('POST', '/v1/jobs?namespace=apps', { Job: { ...serviceJob('skipped', 0, 10, 10), Namespace: 'apps' } })).status).toBe(200);
    expect((await call('POST', '/v1/jobs?namespace=apps', { Job: { ...serviceJob('api', 0, 10, 10), Namespace: 'apps' } })).status).toBe(200);
    const seen = await stream.until((line) => events([line]).some((event: any) => event.Topic === 'Evaluation'));
    const keys = events(seen).map((event: any) => `${event.Namespace}/${event.Topic}/${event.Payload.Job?.ID ?? event.Payload.Evaluation?.JobID}`);
    expect(new Set(keys)).toEqual(new Set(['apps/Job/api', 'apps/Evaluation/api']));
  });

  it('streams variables’ metadata, only paths the token may list, and refuses tokens without variables rules', async () => {
    const lister = { 'X-Nomad-Token': await clientToken(acl.bootstrap, 'vars-lister', 'namespace "default" { variables { path "app/*" { capabilities = ["list"] } } }') };
    const nobody = { 'X-Nomad-Token': await clientToken(acl.bootstrap, 'no-vars', 'namespace "default" { policy = "read" }') };
    expect((await api('GET', '/v1/event/stream?topic=Variable', undefined, nobody)).status).toBe(403);
    const stream = live('?topic=Variable', lister);
    await stream.until(() => true);
    await call('PUT', '/v1/var/other/secret', { Items: { a: 'b' } });
    const put = await call('PUT', '/v1/var/app/config', { Items: { a: 'b' } });
    await call('DELETE', '/v1/var/app/config');
    const seen: any[] = [];
    await stream.until(() => events(seen).some((event: any) => event.Payload.Deleted), seen);
    const variables = events(seen);
    expect(variables.map((event: any) => [event.Type, event.Key, event.Payload.Deleted])).toEqual([
      ['VariableUpdated', 'app/config', false],
      ['VariableUpdated', 'app/config', true],
    ]);
    expect(variables[0]).toMatchObject({ Topic: 'Variable', Namespace: 'default', FilterKeys: null, Index: put.body.ModifyIndex });
    expect(variables[0].Payload.Metadata).toEqual({ Namespace: 'default', Path: 'app/config', CreateIndex: put.body.CreateIndex, CreateTime: put.body.CreateTime, ModifyIndex: put.body.ModifyIndex, ModifyTime: put.body.ModifyTime });
    expect(JSON.stringify(variables)).not.toContain('"b"');
  });

  it('resumes after an index, and ends at the bound a Lambda answer has', async () => {
    process.env.EVENT_STREAM_MAX_MS = '2500';
    const job = (await call('GET', '/v1/job/web')).body;
    const started = Date.now();
    const past = await app.request(`/v1/event/stream?topic=Job:web&index=${job.CreateIndex - 1}`, { headers: root });
    const lines = (await past.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(lines[0]).toEqual({});
    const registered = events(lines).filter((event: any) => event.Type === 'JobRegistered');
    expect(registered.length).toBeGreaterThan(0);
    const last = Math.max(...lines.filter((line) => line.Index).map((line) => line.Index));
    const after = await app.request(`/v1/event/stream?topic=Job:web&index=${last}`, { headers: root });
    expect((await after.text()).trim().split('\n')).toEqual(['{}']);
  });

  it('refuses bad topics and indexes with Nomad’s texts, and topics the token may not read', async () => {
    const bad = await call('GET', '/v1/event/stream?topic=Job:a:b');
    expect([bad.status, bad.text]).toEqual([400, 'Invalid topic query: error parsing topics: Invalid key value pair for topic, topic: Job:a:b']);
    const index = await call('GET', '/v1/event/stream?index=soon');
    expect([index.status, index.text]).toEqual([400, 'Unable to parse index: strconv.Atoi: parsing "soon": invalid syntax']);
    expect((await call('POST', '/v1/event/stream')).status).toBe(405);
    const reader = { 'X-Nomad-Token': await clientToken(acl.bootstrap, 'jobs-reader', 'namespace "default" { policy = "read" }') };
    for (const query of ['?topic=Node', '', '?topic=Job&namespace=*', '?topic=Job&namespace=apps', '?topic=Variable']) {
      const denied = await api('GET', `/v1/event/stream${query}`, undefined, reader);
      expect([denied.status, denied.text], query).toEqual([403, 'Permission denied']);
    }
    process.env.EVENT_STREAM_MAX_MS = '300';
    const allowed = await api('GET', '/v1/event/stream?topic=Job&topic=Allocation', undefined, reader);
    expect(allowed.status).toBe(200);
  });
});
