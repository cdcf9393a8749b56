import { beforeAll, describe, expect, it } from 'vitest';
import { readNode } from '../../../shared/nomad/store/nodes';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { useFreshResources } from '../../support/resources';
import { auditCapacity, liveAllocs } from '../../support/nomad-cluster';

/**
 * `PUT /v1/node/:id/allocations` with many updates at once, as an agent batches them: the updates
 * commit together, the job counters, the node's capacity and the failure evaluations come out as
 * if each had been sent on its own.
 */
const NODE = testNode(1, { NodeResources: { Cpu: { CpuShares: 100_000 }, Memory: { MemoryMB: 100_000 }, Disk: { DiskMB: 100_000 } } });

async function place(id: string, count: number): Promise<string[]> {
  expect((await api('POST', '/v1/jobs', { Job: serviceJob(id, count, 10, 10) })).status).toBe(200);
  await drainEvalQueue();
  return (await liveAllocs(id)).map((stored) => stored.alloc.ID);
}

async function update(allocs: { ID: string; ClientStatus: string }[]) {
  return api('PUT', `/v1/node/${NODE.ID}/allocations`, { Allocs: allocs });
}

const summary = async (jobId: string) => (await api('GET', `/v1/job/${jobId}/summary`)).body.Summary.app;

beforeAll(async () => {
  await useFreshResources();
  await api('PUT', '/v1/node/register', { Node: NODE });
});

describe('client allocation updates in one request', () => {
  it('count every allocation of several jobs and give one failure evaluation per job', async () => {
    const flaky = await place('flaky', 3);
    const steady = await place('steady', 2);
    const result = await update([...flaky, ...steady].map((ID) => ({ ID, ClientStatus: 'running' })));
    expect(result.status, result.text).toBe(200);
    expect(await summary('flaky')).toMatchObject({ Running: 3, Starting: 0 });

    expect((await update([...flaky.map((ID) => ({ ID, ClientStatus: 'failed' })), ...steady.map((ID) => ({ ID, ClientStatus: 'complete' }))])).status).toBe(200);
    expect(await summary('flaky')).toMatchObject({ Running: 0, Failed: 3 });
    expect(await summary('steady')).toMatchObject({ Running: 0, Complete: 2 });
    const evals = (await api('GET', '/v1/job/flaky/evaluations')).body.filter((evaluation: any) => evaluation.TriggeredBy === 'alloc-failure');
    expect(evals).toHaveLength(1);
    expect((await api('GET', '/v1/job/steady/evaluations')).body.some((evaluation: any) => evaluation.TriggeredBy === 'alloc-failure')).toBe(false);
    await drainEvalQueue();
    await auditCapacity();
  });

  it('apply two updates of one allocation in the order sent', async () => {
    const [id] = await place('twice', 1);
    expect((await update([{ ID: id, ClientStatus: 'running' }, { ID: id, ClientStatus: 'complete' }])).status).toBe(200);
    expect(await summary('twice')).toMatchObject({ Starting: 0, Running: 0, Complete: 1 });
    expect((await api('GET', `/v1/allocation/${id}`)).body.ClientStatus).toBe('complete');
    await auditCapacity();
  });

  it('take more updates than one transaction holds', async () => {
    const ids = await place('many', 130);
    expect(ids).toHaveLength(130);
    expect((await update(ids.map((ID) => ({ ID, ClientStatus: 'running' })))).status).toBe(200);
    expect(await summary('many')).toMatchObject({ Starting: 0, Running: 130 });
    expect((await update(ids.map((ID) => ({ ID, ClientStatus: 'complete' })))).status).toBe(200);
    expect(await summary('many')).toMatchObject({ Running: 0, Complete: 130 });
    await auditCapacity();
  });

  it('still release the capacity of allocations whose job was purged', async () => {
    const ids = await place('purged', 2);
    expect((await api('DELETE', '/v1/job/purged?purge=true')).status).toBe(200);
    const used = (await readNode(NODE.ID))!.used.CpuShares;
    expect((await update(ids.map((ID) => ({ ID, ClientStatus: 'complete' })))).status).toBe(200);
    expect((await readNode(NODE.ID))!.used.CpuShares).toBe(used - 20);
  });

  it('refuse a request naming an unknown allocation before writing any', async () => {
    const [id] = await place('unknown', 1);
    const refused = await update([{ ID: id, ClientStatus: 'running' }, { ID: 'no-such-alloc', ClientStatus: 'running' }]);
    expect([refused.status, refused.text]).toEqual([400, 'alloc no-such-alloc not found']);
    expect((await api('GET', `/v1/allocation/${id}`)).body.ClientStatus).toBe('pending');
  });
});
