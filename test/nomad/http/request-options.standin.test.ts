import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../shared/nomad/acl/tokens';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';
import { liveAllocs, report } from '../../support/nomad-cluster';

/**
 * Request options and endpoints no other file reaches: list order, blocking-query parameters and
 * the wait cap, EvalPriority, region, PreserveCounts, deployment allocation-health and unblock,
 * and ACL token updates and expiry.
 */
const acl = aclForThisFile();
const { root } = acl;
const call = (method: string, path: string, body?: unknown, headers = root) => api(method, path, body, headers);

beforeAll(async () => {
  await useFreshResources();
  for (const n of [1, 2]) expect((await call('PUT', '/v1/node/register', { Node: testNode(n) })).status).toBe(200);
  for (const id of ['order-a', 'order-b', 'order-c']) expect((await call('POST', '/v1/jobs', { Job: serviceJob(id, 1, 10, 10) })).status).toBe(200);
  await drainEvalQueue();
});

afterEach(() => {
  delete process.env.MAX_BLOCKING_WAIT_MS;
});

describe('job list order', () => {
  it('reverse=true lists newest ID first, and pages backwards with next_token', async () => {
    const forward = await call('GET', '/v1/jobs?prefix=order-');
    expect(forward.body.map((job: any) => job.ID)).toEqual(['order-a', 'order-b', 'order-c']);
    const backward = await call('GET', '/v1/jobs?prefix=order-&reverse=true');
    expect(backward.body.map((job: any) => job.ID)).toEqual(['order-c', 'order-b', 'order-a']);
    const first = await call('GET', '/v1/jobs?reverse=true&per_page=2');
    expect(first.body.map((job: any) => job.ID)).toEqual(['order-c', 'order-b']);
    const token = first.headers.get('X-Nomad-NextToken');
    expect(token).toBeTruthy();
    const second = await call('GET', `/v1/jobs?reverse=true&per_page=2&next_token=${encodeURIComponent(token!)}`);
    expect(second.body.map((job: any) => job.ID)).toEqual(['order-a']);
    expect(second.headers.get('X-Nomad-NextToken')).toBeNull();
  });
});

describe('blocking-query parameters', () => {
  it('refuses a malformed index or wait with Nomad’s texts', async () => {
    for (const [query, text] of [
      ['index=abc', 'Invalid index'],
      ['index=-1', 'Invalid index'],
      ['index=1&wait=soon', 'Invalid wait time'],
      ['index=1&wait=-5s', 'Invalid wait time'],
    ]) {
      const answer = await call('GET', `/v1/job/order-a?${query}`);
      expect([answer.status, answer.text], query).toEqual([400, text]);
    }
  });

  it('answers at MAX_BLOCKING_WAIT_MS with the unchanged index, however long the client asked to wait', async () => {
    const current = await call('GET', '/v1/job/order-a');
    const index = current.headers.get('X-Nomad-Index');
    process.env.MAX_BLOCKING_WAIT_MS = '500';
    const started = Date.now();
    const capped = await call('GET', `/v1/job/order-a?index=${index}&wait=10m`);
    const elapsed = Date.now() - started;
    expect(capped.status).toBe(200);
    expect(capped.headers.get('X-Nomad-Index')).toBe(index);
    // At least the cap; far less than the ten minutes asked for (a generous bound for a busy machine).
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(30_000);
  });
});

describe('register options', () => {
  it('EvalPriority: 1 to 100 sets the evaluation’s priority, 0 means the job’s, others are refused', async () => {
    for (const priority of [-1, 101, 1000]) {
      const refused = await call('POST', '/v1/jobs', { Job: serviceJob('prio', 1, 10, 10), EvalPriority: priority });
      expect([refused.status, refused.text], String(priority)).toEqual([400, 'Eval priority must be between 1 and 100 inclusively']);
    }
    expect((await call('GET', '/v1/job/prio')).status).toBe(404);
    const high = await call('POST', '/v1/jobs', { Job: serviceJob('prio', 1, 10, 10), EvalPriority: 90 });
    expect(high.status).toBe(200);
    expect((await call('GET', `/v1/evaluation/${high.body.EvalID}`)).body.Priority).toBe(90);
    const inherited = await call('POST', '/v1/jobs', { Job: serviceJob('prio', 2, 10, 10), EvalPriority: 0 });
    expect((await call('GET', `/v1/evaluation/${inherited.body.EvalID}`)).body.Priority).toBe((await call('GET', '/v1/job/prio')).body.Priority);
    await drainEvalQueue();
  });

  it('region: global and our own are served, another region has no path', async () => {
    const ownRegion = (await call('GET', '/v1/job/order-a')).body.Region;
    for (const region of ['global', ownRegion]) {
      expect((await call('POST', `/v1/jobs?region=${region}`, { Job: serviceJob('regional', 1, 10, 10) })).status, region).toBe(200);
    }
    const elsewhere = await call('POST', '/v1/jobs?region=mars', { Job: serviceJob('martian', 1, 10, 10) });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toMatch(/^No path to region/);
    expect((await call('GET', '/v1/job/martian')).status).toBe(404);
    await drainEvalQueue();
  });

  it('PreserveCounts keeps the running counts of existing groups and takes new groups as given', async () => {
    expect((await call('POST', '/v1/jobs', { Job: serviceJob('kept-count', 3, 10, 10) })).status).toBe(200);
    await drainEvalQueue();
    const changed = serviceJob('kept-count', 1, 10, 10, { Meta: { v: '2' } });
    changed.TaskGroups.push({ ...changed.TaskGroups[0], Name: 'extra', Count: 2 } as any);
    expect((await call('POST', '/v1/jobs', { Job: changed, PreserveCounts: true })).status).toBe(200);
    const job = (await call('GET', '/v1/job/kept-count')).body;
    expect(job.TaskGroups.map((group: any) => [group.Name, group.Count])).toEqual([
      ['app', 3],
      ['extra', 2],
    ]);
    expect(job.Meta).toEqual({ v: '2' });
    const plain = serviceJob('kept-count', 1, 10, 10);
    await call('POST', '/v1/jobs', { Job: plain });
    expect((await call('GET', '/v1/job/kept-count')).body.TaskGroups.map((group: any) => group.Count)).toEqual([1]);
    await drainEvalQueue();
  });
});

describe('deployment health and unblock', () => {
  it('allocation-health marks allocations healthy by hand; unblock refuses a running and a terminal deployment', async () => {
    const job = serviceJob('by-hand', 2, 10, 10);
    job.TaskGroups[0] = { ...job.TaskGroups[0], Update: { MaxParallel: 2, HealthCheck: 'manual', MinHealthyTime: 0, HealthyDeadline: 60e9 } } as any;
    await call('POST', '/v1/jobs', { Job: job });
    await drainEvalQueue();
    await call('POST', '/v1/job/by-hand', { Job: { ...job, Meta: { v: '2' } } });
    await drainEvalQueue();
    const deployment = (await call('GET', '/v1/job/by-hand/deployment')).body;
    expect(deployment).toMatchObject({ JobID: 'by-hand', Status: 'running', JobVersion: 1 });
    const placed = (await liveAllocs('by-hand')).filter((stored) => stored.alloc.DeploymentID === deployment.ID);
    expect(placed).toHaveLength(2);
    await report(placed, 'running', undefined, root);

    const blocked = await call('POST', `/v1/deployment/unblock/${deployment.ID}`, { DeploymentID: deployment.ID });
    expect([blocked.status, blocked.text]).toEqual([400, "can't unblock running deployment"]);

    const ids = placed.map((stored) => stored.alloc.ID);
    const health = await call('POST', `/v1/deployment/allocation-health/${deployment.ID}`, { DeploymentID: deployment.ID, HealthyAllocationIDs: ids });
    expect(health.status).toBe(200);
    expect(health.body.DeploymentModifyIndex).toBeGreaterThan(deployment.ModifyIndex);
    for (const id of ids) expect((await call('GET', `/v1/allocation/${id}`)).body.DeploymentStatus.Healthy, id).toBe(true);
    await drainEvalQueue();
    const done = (await call('GET', `/v1/deployment/${deployment.ID}`)).body;
    expect(done.Status).toBe('successful');
    expect(done.TaskGroups.app.HealthyAllocs).toBe(2);

    const terminal = await call('POST', `/v1/deployment/unblock/${deployment.ID}`, { DeploymentID: deployment.ID });
    expect([terminal.status, terminal.text]).toEqual([400, "can't unblock terminal deployment"]);
  });
});

describe('ACL token update and expiry', () => {
  it('updates a token’s name and policies, keeping its type and secret', async () => {
    const secret = await clientToken(acl.bootstrap, 'first-policy', 'namespace "default" { policy = "read" }');
    await clientToken(acl.bootstrap, 'second-policy', 'node { policy = "read" }');
    const self = (await call('GET', '/v1/acl/token/self', undefined, { 'X-Nomad-Token': secret })).body;
    expect((await call('GET', '/v1/nodes', undefined, { 'X-Nomad-Token': secret })).status).toBe(403);

    const updated = await call('POST', `/v1/acl/token/${self.AccessorID}`, { AccessorID: self.AccessorID, Name: 'renamed', Type: 'client', Policies: ['first-policy', 'second-policy'] });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ AccessorID: self.AccessorID, Name: 'renamed', Type: 'client', Policies: ['first-policy', 'second-policy'] });
    expect(updated.body.ModifyIndex).toBeGreaterThan(self.ModifyIndex);
    expect((await call('GET', '/v1/nodes', undefined, { 'X-Nomad-Token': secret })).status).toBe(200);

    const retyped = await call('POST', `/v1/acl/token/${self.AccessorID}`, { AccessorID: self.AccessorID, Type: 'management' });
    expect([retyped.status, retyped.text]).toEqual([400, 'cannot change token type']);
    const missing = await call('POST', '/v1/acl/token/00000000-0000-0000-0000-000000000000', { Name: 'x', Type: 'client', Policies: ['first-policy'] });
    expect([missing.status, missing.text]).toEqual([404, 'ACL token not found']);
  });

  it('refuses an expiry under a minute away, shows a later one, and refuses a token once it has expired', async () => {
    const soon = await call('PUT', '/v1/acl/token', { Name: 'soon', Type: 'client', Policies: ['first-policy'], ExpirationTTL: '30s' });
    expect([soon.status, soon.text]).toEqual([400, 'expiration time cannot be less than 1m0s in the future']);

    const hourly = await call('PUT', '/v1/acl/token', { Name: 'hourly', Type: 'client', Policies: ['first-policy'], ExpirationTTL: '1h' });
    expect(hourly.status).toBe(200);
    expect(hourly.body.ExpirationTTL).toBe(3600e9);
    const expiresIn = Date.parse(hourly.body.ExpirationTime) - Date.now();
    expect(expiresIn).toBeGreaterThan(59 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);
    expect((await call('GET', '/v1/jobs', undefined, { 'X-Nomad-Token': hourly.body.SecretID })).status).toBe(200);

    // A token created two minutes ago (the service takes its clock) with a 61 s TTL: expired now.
    const { secret } = await createToken({ Name: 'lapsed', Type: 'client', Policies: ['first-policy'], ExpirationTTL: '61s' }, Date.now() - 120_000);
    const refused = await call('GET', '/v1/jobs', undefined, { 'X-Nomad-Token': secret });
    expect([refused.status, refused.text]).toEqual([403, 'ACL token expired']);
  });
});
