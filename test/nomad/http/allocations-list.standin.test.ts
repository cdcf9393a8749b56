import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';
import { CONTRACT, contractErrors } from '../../support/nomad-contract';

/** `GET /v1/allocations`: allocations across jobs, Nomad's stubs, ordering, paging, filters and ACLs. */
const { root } = aclForThisFile();
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);

const STUB_FIELDS = [
  'ID', 'EvalID', 'Name', 'Namespace', 'NodeID', 'NodeName', 'JobID', 'JobType', 'JobVersion', 'TaskGroup', 'DesiredStatus',
  'DesiredDescription', 'ClientStatus', 'ClientDescription', 'DesiredTransition', 'TaskStates', 'DeploymentStatus',
  'FollowupEvalID', 'NextAllocation', 'RescheduleTracker', 'PreemptedAllocations', 'PreemptedByAllocation', 'CreateIndex',
  'ModifyIndex', 'CreateTime', 'ModifyTime',
];

const byCreation = (a: any, b: any) => a.CreateIndex - b.CreateIndex || (a.ID < b.ID ? -1 : 1);
let all: any[] = [];

beforeAll(async () => {
  await useFreshResources();
  const node = testNode(1, { NodeResources: { Cpu: { CpuShares: 100_000 }, Memory: { MemoryMB: 100_000 }, Disk: { DiskMB: 100_000 } } });
  expect((await call('PUT', '/v1/node/register', { Node: node })).status).toBe(200);
  expect((await call('PUT', '/v1/namespace/apps', { Description: 'apps' })).status).toBe(200);
  expect((await call('POST', '/v1/jobs', { Job: serviceJob('web', 3, 10, 10) })).status).toBe(200);
  await drainEvalQueue();
  expect((await call('POST', '/v1/jobs?namespace=apps', { Job: serviceJob('api', 2, 10, 10, { Namespace: 'apps' }) })).status).toBe(200);
  await drainEvalQueue();
  const web = (await call('GET', '/v1/job/web/allocations')).body;
  const running = { ID: web[0].ID, ClientStatus: 'running', TaskStates: { server: { State: 'running', Failed: false, Restarts: 0, Events: [] } } };
  expect((await call('PUT', `/v1/node/${node.ID}/allocations`, { Allocs: [running] })).status).toBe(200);
  all = [...web, ...(await call('GET', '/v1/job/api/allocations?namespace=apps')).body];
  expect(all).toHaveLength(5);
});

describe('GET /v1/allocations', () => {
  it('lists one namespace in creation order as Nomad’s AllocListStub, with the query meta headers', async () => {
    const listed = await call('GET', '/v1/allocations');
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.map((stub: any) => stub.ID)).toEqual(all.filter((stub) => stub.Namespace === 'default').sort(byCreation).map((stub) => stub.ID));
    const stub = listed.body[0];
    expect(Object.keys(stub)).toEqual(STUB_FIELDS);
    expect(stub).toMatchObject({ JobID: 'web', JobType: 'service', JobVersion: 0, TaskGroup: 'app', DesiredStatus: 'run', Namespace: 'default' });
    expect(stub.DesiredTransition).toEqual({ Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null });
    expect(Number(listed.headers.get('X-Nomad-Index'))).toBe(Math.max(...listed.body.map((entry: any) => entry.ModifyIndex)));
    expect(listed.headers.get('X-Nomad-KnownLeader')).toBe('true');
    expect(listed.headers.get('X-Nomad-LastContact')).toBe('0');
    expect(listed.headers.get('X-Nomad-NextToken')).toBeNull();
    if (CONTRACT) expect(contractErrors('GET', '/allocations', listed)).toEqual([]);
  });

  it('adds AllocatedResources with resources=true and drops TaskStates with task_states=false', async () => {
    const plain = (await call('GET', '/v1/allocations?filter=ClientStatus%3D%3D%22running%22')).body;
    expect(plain).toHaveLength(1);
    expect(plain[0].TaskStates.server.State).toBe('running');
    const shaped = (await call('GET', '/v1/allocations?resources=true&task_states=false&filter=ClientStatus%3D%3D%22running%22')).body;
    expect(shaped[0].TaskStates).toBeNull();
    expect(shaped[0].AllocatedResources.Tasks.server.Cpu.CpuShares).toBe(10);
    expect(Object.keys(shaped[0]).indexOf('AllocatedResources')).toBe(STUB_FIELDS.indexOf('TaskGroup') + 1);
    const bad = await call('GET', '/v1/allocations?task_states=maybe');
    expect([bad.status, bad.text]).toEqual([400, 'Failed to parse value of "task_states" (maybe) as a bool: strconv.ParseBool: parsing "maybe": invalid syntax']);
  });

  it('lists every namespace with namespace=*, in creation order across them', async () => {
    const listed = await call('GET', '/v1/allocations?namespace=*');
    expect(listed.body.map((stub: any) => stub.ID)).toEqual([...all].sort(byCreation).map((stub) => stub.ID));
    expect(new Set(listed.body.map((stub: any) => stub.Namespace))).toEqual(new Set(['default', 'apps']));
  });

  it('pages with per_page and a <CreateIndex>.<ID> token, forwards and in reverse', async () => {
    const sorted = [...all].sort(byCreation);
    const first = await call('GET', '/v1/allocations?namespace=*&per_page=2');
    expect(first.body.map((stub: any) => stub.ID)).toEqual(sorted.slice(0, 2).map((stub) => stub.ID));
    expect(first.headers.get('X-Nomad-NextToken')).toBe(`${sorted[2].CreateIndex}.${sorted[2].ID}`);
    const second = await call('GET', `/v1/allocations?namespace=*&per_page=2&next_token=${first.headers.get('X-Nomad-NextToken')}`);
    expect(second.body.map((stub: any) => stub.ID)).toEqual(sorted.slice(2, 4).map((stub) => stub.ID));
    const last = await call('GET', `/v1/allocations?namespace=*&per_page=2&next_token=${second.headers.get('X-Nomad-NextToken')}`);
    expect(last.body.map((stub: any) => stub.ID)).toEqual([sorted[4].ID]);
    expect(last.headers.get('X-Nomad-NextToken')).toBeNull();
    const reversed = await call('GET', '/v1/allocations?namespace=*&per_page=3&reverse=true');
    expect(reversed.body.map((stub: any) => stub.ID)).toEqual(sorted.slice(2).reverse().map((stub) => stub.ID));
    expect(reversed.headers.get('X-Nomad-NextToken')).toBe(`${sorted[1].CreateIndex}.${sorted[1].ID}`);
  });

  it('lists by ID prefix in ID order with an <ID> token, and refuses prefixes go-memdb refuses', async () => {
    const ids = all.map((stub) => stub.ID).sort();
    const prefix = ids[0].slice(0, 2);
    const matching = ids.filter((id) => id.startsWith(prefix));
    const listed = await call('GET', `/v1/allocations?namespace=*&prefix=${prefix}`);
    expect(listed.body.map((stub: any) => stub.ID)).toEqual(matching);
    const whole = await call('GET', `/v1/allocations?namespace=*&prefix=${ids[1]}`);
    expect(whole.body.map((stub: any) => stub.ID)).toEqual([ids[1]]);
    const sorted = [...all].sort(byCreation);
    const empty = await call('GET', '/v1/allocations?namespace=*&prefix=&per_page=1');
    expect(empty.headers.get('X-Nomad-NextToken')).toBe(`${sorted[1].CreateIndex}.${sorted[1].ID}`);
    const byId = await call('GET', `/v1/allocations?namespace=*&prefix=${ids[0].slice(0, 8)}-&per_page=1`);
    expect(byId.body.map((stub: any) => stub.ID)).toEqual([ids[0]]);
    const bare = ids[0].replaceAll('-', '').slice(0, 10).toUpperCase();
    expect((await call('GET', `/v1/allocations?namespace=*&prefix=${bare}`)).body.map((stub: any) => stub.ID)).toEqual([ids[0]]);
    const odd = await call('GET', '/v1/allocations?prefix=abc');
    expect([odd.status, odd.text]).toEqual([400, 'alloc lookup failed: Input (without hyphens) must be even length']);
    const notHex = await call('GET', '/v1/allocations?prefix=zz');
    expect([notHex.status, notHex.text]).toEqual([400, "alloc lookup failed: encoding/hex: invalid byte: U+007A 'z'"]);
  });

  it('continues a prefix listing from an <ID> token', async () => {
    const ids = all.map((stub) => stub.ID).sort();
    const prefix = ids[0].slice(0, 2);
    const matching = ids.filter((id) => id.startsWith(prefix));
    const page = await call('GET', `/v1/allocations?namespace=*&prefix=${prefix}&per_page=1`);
    expect(page.body.map((stub: any) => stub.ID)).toEqual([matching[0]]);
    expect(page.headers.get('X-Nomad-NextToken')).toBe(matching[1] ?? null);
    const rest = await call('GET', `/v1/allocations?namespace=*&prefix=${prefix}&next_token=${ids[0]}`);
    expect(rest.body.map((stub: any) => stub.ID)).toEqual(matching);
    const reversed = await call('GET', `/v1/allocations?namespace=*&prefix=${ids[4].slice(0, 2)}&reverse=true`);
    expect(reversed.body.map((stub: any) => stub.ID)).toEqual(ids.filter((id) => id.startsWith(ids[4].slice(0, 2))).reverse());
  });

  it('filters on the full Allocation, Job included, before paging', async () => {
    const apps = await call('GET', `/v1/allocations?namespace=*&filter=${encodeURIComponent('Job.Namespace == "apps"')}&per_page=1`);
    expect(apps.body.map((stub: any) => stub.JobID)).toEqual(['api']);
    expect(apps.headers.get('X-Nomad-NextToken')).not.toBeNull();
    const syntax = await call('GET', `/v1/allocations?filter=${encodeURIComponent('JobID ==')}`);
    expect(syntax.status).toBe(400);
    expect(syntax.text).toMatch(/^failed to create result paginator: failed to read filter expression: /);
    const field = await call('GET', `/v1/allocations?filter=${encodeURIComponent('Nope == "x"')}`);
    expect(field.status).toBe(400);
    expect(field.text).toMatch(/^failed to read result page: /);
  });

  it('needs read-job in the namespace; with * lists only the readable namespaces', async () => {
    const appsReader = await clientToken(root['X-Nomad-Token'], 'apps-reader', 'namespace "apps" { policy = "read" }');
    const nobody = await clientToken(root['X-Nomad-Token'], 'nobody', 'node { policy = "read" }');
    const mine = await api('GET', '/v1/allocations?namespace=*', undefined, { 'X-Nomad-Token': appsReader });
    expect(mine.status).toBe(200);
    expect(mine.body.map((stub: any) => stub.Namespace)).toEqual(['apps', 'apps']);
    const denied = await api('GET', '/v1/allocations', undefined, { 'X-Nomad-Token': appsReader });
    expect([denied.status, denied.text]).toEqual([403, 'Permission denied']);
    expect((await api('GET', '/v1/allocations?namespace=*', undefined, { 'X-Nomad-Token': nobody })).status).toBe(403);
    expect((await api('GET', '/v1/allocations')).status).toBe(403);
  });

  it('blocks on index until a listed allocation changes', async () => {
    const before = await call('GET', '/v1/allocations');
    const index = before.headers.get('X-Nomad-Index');
    const started = Date.now();
    const idle = await call('GET', `/v1/allocations?index=${index}&wait=300ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(idle.headers.get('X-Nomad-Index')).toBe(index);
    const waiting = call('GET', `/v1/allocations?index=${index}&wait=10s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await call('PUT', `/v1/allocation/${before.body[1].ID}/stop`)).status).toBe(200);
    const woken = await waiting;
    expect(Number(woken.headers.get('X-Nomad-Index'))).toBeGreaterThan(Number(index));
    expect(woken.body.find((stub: any) => stub.ID === before.body[1].ID).DesiredTransition.Migrate).toBe(true);
  });

  it('answers other methods with 405', async () => {
    expect((await call('POST', '/v1/allocations')).status).toBe(405);
  });
});
