import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';
import { CONTRACT, contractErrors } from '../../support/nomad-contract';

/**
 * `GET /v1/evaluations`, `/v1/evaluations/count`, `DELETE /v1/evaluations` and
 * `GET /v1/evaluation/:id?related=true`.
 */
const { root } = aclForThisFile();
const call = (method: string, path: string, body?: unknown) => api(method, path, body, root);
const byCreation = (a: any, b: any) => a.CreateIndex - b.CreateIndex || (a.ID < b.ID ? -1 : 1);
const q = encodeURIComponent;

let all: any[] = [];

beforeAll(async () => {
  await useFreshResources();
  expect((await call('PUT', '/v1/node/register', { Node: testNode(1) })).status).toBe(200);
  expect((await call('PUT', '/v1/namespace/apps', { Description: 'apps' })).status).toBe(200);
  expect((await call('POST', '/v1/jobs', { Job: serviceJob('web', 1, 100, 64) })).status).toBe(200);
  // Too big for the node: its evaluation completes with a blocked follow-up.
  expect((await call('POST', '/v1/jobs', { Job: serviceJob('huge', 1, 50_000, 64) })).status).toBe(200);
  expect((await call('POST', '/v1/jobs?namespace=apps', { Job: serviceJob('api', 1, 100, 64, { Namespace: 'apps' }) })).status).toBe(200);
  await drainEvalQueue();
  all = [
    ...(await call('GET', '/v1/job/web/evaluations')).body,
    ...(await call('GET', '/v1/job/huge/evaluations')).body,
    ...(await call('GET', '/v1/job/api/evaluations?namespace=apps')).body,
  ];
  expect(all).toHaveLength(4);
});

describe('GET /v1/evaluations', () => {
  it('lists full evaluations of one namespace in creation order', async () => {
    const listed = await call('GET', '/v1/evaluations');
    expect(listed.status, listed.text).toBe(200);
    const expected = all.filter((evaluation) => evaluation.Namespace === 'default').sort(byCreation);
    expect(listed.body).toEqual(expected);
    expect(Number(listed.headers.get('X-Nomad-Index'))).toBe(Math.max(...expected.map((evaluation) => evaluation.ModifyIndex)));
    expect(listed.headers.get('X-Nomad-KnownLeader')).toBe('true');
    if (CONTRACT) expect(contractErrors('GET', '/evaluations', listed)).toEqual([]);
  });

  it('lists every namespace with *, pages with <CreateIndex>.<ID> tokens and walks back with reverse', async () => {
    const sorted = [...all].sort(byCreation);
    const everything = await call('GET', '/v1/evaluations?namespace=*');
    expect(everything.body.map((evaluation: any) => evaluation.ID)).toEqual(sorted.map((evaluation) => evaluation.ID));
    const first = await call('GET', '/v1/evaluations?namespace=*&per_page=3');
    expect(first.body).toHaveLength(3);
    expect(first.headers.get('X-Nomad-NextToken')).toBe(`${sorted[3].CreateIndex}.${sorted[3].ID}`);
    const rest = await call('GET', `/v1/evaluations?namespace=*&per_page=3&next_token=${first.headers.get('X-Nomad-NextToken')}`);
    expect(rest.body.map((evaluation: any) => evaluation.ID)).toEqual([sorted[3].ID]);
    const reversed = await call('GET', '/v1/evaluations?namespace=*&reverse=true');
    expect(reversed.body.map((evaluation: any) => evaluation.ID)).toEqual(sorted.map((evaluation) => evaluation.ID).reverse());
  });

  it('filters by job and status, or by expression, never both', async () => {
    const huge = await call('GET', '/v1/evaluations?job=huge');
    expect(huge.body.map((evaluation: any) => evaluation.Status).sort()).toEqual(['blocked', 'complete']);
    const blocked = await call('GET', '/v1/evaluations?namespace=*&status=blocked');
    expect(blocked.body.map((evaluation: any) => evaluation.JobID)).toEqual(['huge']);
    const expression = await call('GET', `/v1/evaluations?namespace=*&filter=${q('TriggeredBy == "job-register" and Namespace == "apps"')}`);
    expect(expression.body.map((evaluation: any) => evaluation.JobID)).toEqual(['api']);
    const both = await call('GET', `/v1/evaluations?job=huge&filter=${q('Status == "blocked"')}`);
    expect([both.status, both.text]).toEqual([400, 'Filter expression cannot be used with other filter parameters']);
  });

  it('lists by ID prefix and refuses prefixes go-memdb refuses', async () => {
    const target = all[2];
    const listed = await call('GET', `/v1/evaluations?namespace=*&prefix=${target.ID.slice(0, 8)}`);
    expect(listed.body.map((evaluation: any) => evaluation.ID)).toEqual([target.ID]);
    const odd = await call('GET', '/v1/evaluations?prefix=a');
    expect([odd.status, odd.text]).toEqual([400, 'eval lookup failed: Input (without hyphens) must be even length']);
  });

  it('needs read-job; * lists only the readable namespaces', async () => {
    const reader = await clientToken(root['X-Nomad-Token'], 'apps-reader', 'namespace "apps" { policy = "read" }');
    const mine = await api('GET', '/v1/evaluations?namespace=*', undefined, { 'X-Nomad-Token': reader });
    expect(mine.body.map((evaluation: any) => evaluation.JobID)).toEqual(['api']);
    expect((await api('GET', '/v1/evaluations', undefined, { 'X-Nomad-Token': reader })).status).toBe(403);
    expect((await api('GET', '/v1/evaluations/count', undefined, { 'X-Nomad-Token': reader })).status).toBe(403);
  });
});

describe('GET /v1/evaluations/count', () => {
  it('counts what matches, with the query meta in the body and the headers', async () => {
    const counted = await call('GET', '/v1/evaluations/count?namespace=*');
    expect(counted.status, counted.text).toBe(200);
    expect(counted.body).toEqual({ Count: 4, Index: Number(counted.headers.get('X-Nomad-Index')), LastContact: 0, KnownLeader: true, NextToken: '' });
    expect((await call('GET', `/v1/evaluations/count?filter=${q('Status == "blocked"')}`)).body.Count).toBe(1);
    expect((await call('GET', `/v1/evaluations/count?prefix=${all[0].ID.slice(0, 4)}&namespace=*`)).body.Count).toBe(
      all.filter((evaluation) => evaluation.ID.startsWith(all[0].ID.slice(0, 4))).length,
    );
    const bad = await call('GET', `/v1/evaluations/count?filter=${q('Status ==')}`);
    expect(bad.status).toBe(400);
    expect(bad.text).not.toMatch(/paginator/);
  });
});

describe('GET /v1/evaluation/:id?related=true', () => {
  it('adds the evaluations linked through NextEval, PreviousEval and BlockedEval as stubs', async () => {
    const [blocked] = (await call('GET', '/v1/evaluations?status=blocked')).body;
    const original = all.find((evaluation) => evaluation.BlockedEval === blocked.ID);
    expect(original).toBeDefined();
    const plain = await call('GET', `/v1/evaluation/${original.ID}`);
    expect(plain.body.RelatedEvals).toBeUndefined();
    const related = await call('GET', `/v1/evaluation/${original.ID}?related=true`);
    expect(related.status).toBe(200);
    expect(related.headers.get('X-Nomad-Index')).toBe(String(original.ModifyIndex));
    expect(related.body.RelatedEvals).toHaveLength(1);
    expect(Object.keys(related.body.RelatedEvals[0])).toEqual([
      'ID', 'Namespace', 'Priority', 'Type', 'TriggeredBy', 'JobID', 'NodeID', 'DeploymentID', 'Status', 'StatusDescription',
      'WaitUntil', 'NextEval', 'PreviousEval', 'BlockedEval', 'CreateIndex', 'ModifyIndex', 'CreateTime', 'ModifyTime',
    ]);
    expect(related.body.RelatedEvals[0]).toMatchObject({ ID: blocked.ID, Status: 'blocked', PreviousEval: original.ID, BlockedEval: '' });
    const back = await call('GET', `/v1/evaluation/${blocked.ID}?related=true`);
    expect(back.body.RelatedEvals.map((stub: any) => stub.ID)).toEqual([original.ID]);
    expect((await call('GET', `/v1/evaluation/${original.ID}?related=1`)).body.RelatedEvals).toBeUndefined();
    if (CONTRACT) expect(contractErrors('GET', '/evaluation/{evalID}', related)).toEqual([]);
  });
});

describe('DELETE /v1/evaluations', () => {
  it('checks the request as Nomad’s HTTP handler does, and needs a management token', async () => {
    const neither = await call('DELETE', '/v1/evaluations', {});
    expect([neither.status, neither.text]).toEqual([400, 'evals must be deleted by either ID or filter']);
    const both = await call('DELETE', '/v1/evaluations', { EvalIDs: [all[0].ID], Filter: 'Status == "complete"' });
    expect([both.status, both.text]).toEqual([400, 'evals cannot be deleted by both ID and filter']);
    const many = await call('DELETE', '/v1/evaluations', { EvalIDs: Array.from({ length: 7282 }, (_, i) => String(i)) });
    expect([many.status, many.text]).toEqual([400, 'request includes 7282 evaluation IDs, must be 7281 or fewer']);
    const reader = await clientToken(root['X-Nomad-Token'], 'writer', 'namespace "*" { policy = "write" }');
    const denied = await api('DELETE', '/v1/evaluations', { EvalIDs: [all[0].ID] }, { 'X-Nomad-Token': reader });
    expect([denied.status, denied.text]).toEqual([403, 'Permission denied']);
  });

  it('refuses open evaluations and those whose allocations still run, deletes safe ones', async () => {
    const [blocked] = (await call('GET', '/v1/evaluations?status=blocked')).body;
    const open = await call('DELETE', '/v1/evaluations', { EvalIDs: [blocked.ID] });
    expect([open.status, open.text]).toEqual([400, `eval ${blocked.ID} is not safe to delete`]);
    const web = all.find((evaluation) => evaluation.JobID === 'web');
    const allocs = (await call('GET', `/v1/evaluation/${web.ID}/allocations`)).body;
    const node = testNode(1);
    expect((await call('PUT', `/v1/node/${node.ID}/allocations`, { Allocs: [{ ID: allocs[0].ID, ClientStatus: 'running' }] })).status).toBe(200);
    const running = await call('DELETE', '/v1/evaluations', { EvalIDs: [web.ID] });
    expect([running.status, running.text]).toEqual([400, `eval ${web.ID} is not safe to delete`]);
    const missing = await call('DELETE', '/v1/evaluations', { EvalIDs: ['00000000-0000-0000-0000-000000000000'] });
    expect([missing.status, missing.text]).toEqual([404, 'eval not found']);

    expect((await call('DELETE', '/v1/job/web')).status).toBe(200);
    const deleted = await call('DELETE', '/v1/evaluations', { EvalIDs: [web.ID] });
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body).toEqual({ Count: 1, Index: Number(deleted.headers.get('X-Nomad-Index')) });
    expect((await call('GET', `/v1/evaluation/${web.ID}`)).status).toBe(404);
  });

  it('deletes by filter what matches and is safe, in every namespace', async () => {
    await drainEvalQueue();
    const before = (await call('GET', '/v1/evaluations/count?namespace=*')).body.Count;
    const result = await call('DELETE', '/v1/evaluations', { Filter: 'JobID == "huge" or JobID == "api"' });
    expect(result.status, result.text).toBe(200);
    // huge's complete evaluation (its job has no allocations) and api's (its allocation is pending, not running) go; the blocked one stays.
    expect(result.body.Count).toBe(2);
    const left = (await call('GET', '/v1/evaluations?namespace=*')).body;
    expect(left).toHaveLength(before - 2);
    expect(left.filter((evaluation: any) => evaluation.JobID === 'huge').map((evaluation: any) => evaluation.Status)).toEqual(['blocked']);
    expect(left.some((evaluation: any) => evaluation.JobID === 'api')).toBe(false);
  });
});
