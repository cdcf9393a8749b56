import { beforeAll, describe, expect, it } from 'vitest';
import { listNodes } from '../../../shared/nomad/store/nodes';
import { nodeCapacity } from '../../../shared/nomad/structs/node';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';

beforeAll(async () => {
  await useFreshResources();
  for (const n of [1, 2, 3]) {
    const registered = await api('PUT', '/v1/node/register', { Node: testNode(n) });
    expect(registered.status).toBe(200);
  }
});

describe('a service job placed end to end', () => {
  it('registers, evaluates and places all allocations with no node over capacity', async () => {
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('web', 5, 300) });
    expect(registered.status).toBe(200);
    expect(registered.body).toMatchObject({ Warnings: '', LastContact: 0, KnownLeader: false, NextToken: '' });
    expect(registered.body.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    expect(registered.headers.get('X-Nomad-Index')).toBe(String(registered.body.Index));

    await drainEvalQueue();

    const allocs = await api('GET', '/v1/job/web/allocations');
    expect(allocs.body).toHaveLength(5);
    expect(allocs.body.map((a: any) => a.Name).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `web.app[${i}]`));
    expect(allocs.body.map((a: any) => [a.DesiredStatus, a.ClientStatus])).toEqual(Array(5).fill(['run', 'pending']));

    const nodes = await listNodes();
    expect(nodes).toHaveLength(3);
    for (const entry of nodes) {
      const capacity = nodeCapacity(entry.node);
      expect(entry.used.CpuShares).toBeLessThanOrEqual(capacity.CpuShares);
      expect(entry.used.MemoryMB).toBeLessThanOrEqual(capacity.MemoryMB);
    }
    const used = (await listNodes()).reduce((sum, entry) => sum + entry.used.CpuShares, 0);
    expect(used).toBe(5 * 300);

    const evaluation = await api('GET', `/v1/evaluation/${registered.body.EvalID}`);
    expect(evaluation.body).toMatchObject({ Status: 'complete', TriggeredBy: 'job-register', QueuedAllocations: { app: 0 } });

    const job = await api('GET', '/v1/job/web');
    expect(job.body).toMatchObject({ ID: 'web', Status: 'running', Version: 0, Priority: 50 });
    const summary = await api('GET', '/v1/job/web/summary');
    expect(summary.body.Summary.app).toMatchObject({ Starting: 5, Running: 0, Queued: 0 });

    const one = await api('GET', `/v1/allocation/${allocs.body[0].ID}`);
    expect(one.body.Job.ID).toBe('web');
    expect(one.body.AllocatedResources.Tasks.server.Cpu.CpuShares).toBe(300);
  });

  it('blocks what does not fit and places it when a node joins', async () => {
    const registered = await api('POST', '/v1/jobs', { Job: serviceJob('big', 2, 700) });
    await drainEvalQueue();
    const evaluation = await api('GET', `/v1/evaluation/${registered.body.EvalID}`);
    expect(evaluation.body.Status).toBe('complete');
    expect(evaluation.body.BlockedEval).toBeTruthy();
    expect(evaluation.body.FailedTGAllocs.app.DimensionExhausted.cpu).toBeGreaterThan(0);
    const summary = await api('GET', '/v1/job/big/summary');
    expect(summary.body.Summary.app.Queued).toBeGreaterThan(0);

    await api('PUT', '/v1/node/register', { Node: testNode(4) });
    await api('PUT', '/v1/node/register', { Node: testNode(5) });
    await drainEvalQueue();
    const allocs = await api('GET', '/v1/job/big/allocations');
    expect(allocs.body.filter((a: any) => a.DesiredStatus === 'run')).toHaveLength(2);
    const blocked = await api('GET', `/v1/evaluation/${evaluation.body.BlockedEval}`);
    expect(blocked.body.Status).toBe('complete');
  });

  it('pages the job list in the store with X-Nomad-NextToken', async () => {
    const first = await api('GET', '/v1/jobs?per_page=1');
    expect(first.body.map((j: any) => j.ID)).toEqual(['big']);
    expect(first.headers.get('X-Nomad-NextToken')).toBe('default.web');
    const second = await api('GET', '/v1/jobs?per_page=1&next_token=default.web');
    expect(second.body.map((j: any) => j.ID)).toEqual(['web']);
    expect(second.headers.get('X-Nomad-NextToken')).toBeNull();
    expect((await api('GET', '/v1/jobs?prefix=we')).body.map((j: any) => j.ID)).toEqual(['web']);
    expect((await api('GET', '/v1/jobs?per_page=x')).text).toBe('Expect a number for `per_page` query string parameter');
  });

  it('stops, then purges a job', async () => {
    const stopped = await api('DELETE', '/v1/job/web');
    expect(stopped.status).toBe(200);
    expect(stopped.body.EvalID).toBeTruthy();
    await drainEvalQueue();
    const job = await api('GET', '/v1/job/web');
    expect(job.body).toMatchObject({ Stop: true, Version: 1, Status: 'dead' });
    const allocs = await api('GET', '/v1/job/web/allocations');
    expect(allocs.body.map((a: any) => a.DesiredStatus)).toEqual(Array(5).fill('stop'));

    const purged = await api('DELETE', '/v1/job/web?purge=true');
    expect(purged.status).toBe(200);
    await drainEvalQueue();
    expect((await api('GET', '/v1/job/web')).status).toBe(404);
    expect((await api('GET', '/v1/job/web')).text).toBe('job not found');
    expect((await api('GET', '/v1/job/web/summary')).status).toBe(404);
    expect((await api('GET', '/v1/job/web/allocations')).body).toHaveLength(5);
    const unknown = await api('DELETE', '/v1/job/never-was');
    expect(unknown.status).toBe(200);
    expect(unknown.body.EvalID).toBe('');
    const freed = (await listNodes()).reduce((sum, entry) => sum + entry.used.CpuShares, 0);
    expect(freed).toBe(2 * 700);
  });
});
