import { beforeAll, describe, expect, it } from 'vitest';
import { countDynamoRequests } from '../../../shared/aws/request-count';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { aclForThisFile, clientToken } from '../../support/nomad-acl';

/**
 * The DynamoDB round trips of the hot paths, counted per request against DynamoDB Local: each
 * path makes the requests its semantics need and no more.
 */
const acl = aclForThisFile();

beforeAll(async () => {
  await useFreshResources();
});

async function counted(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const { result, requests } = await countDynamoRequests(() => api(method, path, body, headers));
  return { ...result, requests };
}

function withoutAcl<T>(work: () => Promise<T>): Promise<T> {
  process.env.ACL_ENABLED = 'false';
  return work().finally(() => {
    process.env.ACL_ENABLED = 'true';
  });
}

describe('DynamoDB requests per hot path', () => {
  it('reads a job with one GetItem when ACLs are off', async () => {
    await withoutAcl(async () => {
      expect((await api('POST', '/v1/jobs', { Job: serviceJob('rt-read', 1) })).status).toBe(200);
      const read = await counted('GET', '/v1/job/rt-read');
      expect(read.status).toBe(200);
      expect(read.body.ID).toBe('rt-read');
      expect(read.requests).toEqual(['GetItemCommand']);
    });
  });

  it('reads a job with one token lookup, then only the GetItem while the token is cached, when ACLs are on', async () => {
    const reader = await clientToken(acl.bootstrap, 'rt-reader', 'namespace "default" { policy = "read" }');
    const first = await counted('GET', '/v1/job/rt-read', undefined, { 'X-Nomad-Token': reader });
    expect(first.status).toBe(200);
    // The token and its policies are looked up once, then the job is read.
    expect(first.requests.length).toBeGreaterThan(1);
    expect(first.requests.at(-1)).toBe('GetItemCommand');
    const again = await counted('GET', '/v1/job/rt-read', undefined, { 'X-Nomad-Token': reader });
    expect(again.status).toBe(200);
    expect(again.requests).toEqual(['GetItemCommand']);
  });

  it('registers a job writing job, version, submission and evaluation in one transaction', async () => {
    const submission = { Source: 'job "rt-register" {}', Format: 'hcl2' };
    const register = await counted('POST', '/v1/jobs', { Job: serviceJob('rt-register', 2), Submission: submission }, acl.root);
    expect(register.status).toBe(200);
    expect(register.body.EvalID).toBeTruthy();
    // The check-and-set read of the stored job, then one transaction.
    expect(register.requests).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
    const kept = await api('GET', '/v1/job/rt-register/submission?version=0', undefined, acl.root);
    expect(kept.body).toMatchObject({ Source: submission.Source, Format: 'hcl2', Version: 0 });
    const evaluation = await api('GET', `/v1/evaluation/${register.body.EvalID}`, undefined, acl.root);
    expect(evaluation.body).toMatchObject({ JobID: 'rt-register', TriggeredBy: 'job-register' });
  });

  it('commits a placement of 150 allocations on 10 nodes in two transactions, as the 100-item limit allows', async () => {
    for (let n = 1; n <= 10; n++) expect((await api('PUT', '/v1/node/register', { Node: testNode(n) }, acl.root)).status).toBe(200);
    await drainEvalQueue();
    expect((await api('POST', '/v1/jobs', { Job: serviceJob('rt-place', 150, 10, 10) }, acl.root)).status).toBe(200);
    const { requests } = await countDynamoRequests(() => drainEvalQueue());
    const placed = await api('GET', '/v1/job/rt-place/allocations', undefined, acl.root);
    expect(placed.body).toHaveLength(150);
    // 150 allocations + 10 node usage updates + job, lease and outcome: more than one transaction holds, fewer than three.
    expect(requests.filter((request) => request === 'TransactWriteItemsCommand')).toHaveLength(2);
  });

  it('commits 90 placements on 90 nodes in two full transactions, the outcome riding in the last', async () => {
    // Nodes of 1,000 MHz: each fits one allocation of 600 MHz (those of the test above may have missed their heartbeats by now).
    for (let n = 11; n <= 100; n++) expect((await api('PUT', '/v1/node/register', { Node: testNode(n) }, acl.root)).status).toBe(200);
    await drainEvalQueue();
    expect((await api('POST', '/v1/jobs', { Job: serviceJob('rt-spread', 90, 600, 64) }, acl.root)).status).toBe(200);
    const { requests } = await countDynamoRequests(() => drainEvalQueue());
    const placed = await api('GET', '/v1/job/rt-spread/allocations', undefined, acl.root);
    expect(placed.body).toHaveLength(90);
    expect(new Set(placed.body.map((alloc: any) => alloc.NodeID)).size).toBe(90);
    // 90 allocations + 90 node usage updates + the job, the lease and the outcome: 190-odd items, two transactions.
    expect(requests.filter((request) => request === 'TransactWriteItemsCommand')).toHaveLength(2);
    const evaluation = (await api('GET', '/v1/job/rt-spread/evaluations', undefined, acl.root)).body[0];
    expect(evaluation.Status).toBe('complete');
  });
});
