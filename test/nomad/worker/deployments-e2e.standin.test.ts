import { beforeAll, describe, expect, it } from 'vitest';
import { useFreshResources } from '../../support/resources';
import { api, drainEvalQueue, serviceJob, testNode } from '../../support/nomad';
import { liveAllocs, report } from '../../support/nomad-cluster';

beforeAll(async () => {
  await useFreshResources();
  for (const n of [1, 2, 3]) await api('PUT', '/v1/node/register', { Node: testNode(n, { NodeResources: { Cpu: { CpuShares: 4000 }, Memory: { MemoryMB: 4096 }, Disk: { DiskMB: 10_000 } } }) });
});

function versioned(id: string, count: number, env: Record<string, string>, update: Record<string, unknown>) {
  const job = serviceJob(id, count, 100, 64);
  job.TaskGroups[0] = {
    ...job.TaskGroups[0],
    Update: { MaxParallel: 1, MinHealthyTime: 0, HealthyDeadline: 60e9, ...update },
    ReschedulePolicy: { Delay: 1e9, DelayFunction: 'constant', Unlimited: true },
  } as any;
  (job.TaskGroups[0].Tasks[0] as any).Env = env;
  return job;
}

async function latestDeployment(jobId: string) {
  return (await api('GET', `/v1/job/${jobId}/deployment`)).body;
}

/** Plays healthy agents until the job's live allocations all run the newest version and report healthy. */
async function settleHealthy(jobId: string, rounds = 10) {
  for (let i = 0; i < rounds; i++) {
    await drainEvalQueue();
    const fresh = (await liveAllocs(jobId)).filter((stored) => stored.alloc.DeploymentStatus?.Healthy !== true && stored.alloc.DeploymentID);
    if (fresh.length === 0) break;
    await report(fresh, 'running', true);
  }
  await drainEvalQueue();
}

describe('deployments end to end', () => {
  it('runs a canary, waits for promotion, then rolls the rest and marks the version stable', async () => {
    await api('POST', '/v1/jobs', { Job: versioned('canary', 3, { V: '0' }, { Canary: 1 }) });
    await settleHealthy('canary');
    const first = await latestDeployment('canary');
    expect(first).toMatchObject({ Status: 'successful', StatusDescription: 'Deployment completed successfully', JobVersion: 0 });
    expect((await api('GET', '/v1/job/canary')).body.Stable).toBe(true);

    await api('POST', '/v1/job/canary', { Job: versioned('canary', 3, { V: '1' }, { Canary: 1 }) });
    await drainEvalQueue();
    let deployment = await latestDeployment('canary');
    expect(deployment).toMatchObject({ Status: 'running', JobVersion: 1, StatusDescription: 'Deployment is running but requires manual promotion' });
    expect(deployment.TaskGroups.app).toMatchObject({ DesiredCanaries: 1, DesiredTotal: 3, Promoted: false });
    expect(deployment.TaskGroups.app.PlacedCanaries).toHaveLength(1);
    const canaryId = deployment.TaskGroups.app.PlacedCanaries[0];
    expect((await liveAllocs('canary')).length).toBe(4);

    const early = await api('PUT', `/v1/deployment/promote/${deployment.ID}`, { DeploymentID: deployment.ID, All: true });
    expect(early.status).toBe(400);
    expect(early.text).toContain(`Canary allocation "${canaryId}" for group "app" is not healthy`);

    await report((await liveAllocs('canary')).filter((stored) => stored.alloc.ID === canaryId), 'running', true);
    await drainEvalQueue();
    expect((await latestDeployment('canary')).Status).toBe('running');

    const promoted = await api('PUT', `/v1/deployment/promote/${deployment.ID}`, { DeploymentID: deployment.ID, All: true });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ DeploymentModifyIndex: expect.any(Number), RevertedJobVersion: null });
    expect(promoted.body.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    await settleHealthy('canary');
    deployment = await latestDeployment('canary');
    expect(deployment).toMatchObject({ Status: 'successful', TaskGroups: { app: { Promoted: true, HealthyAllocs: 3 } } });
    const live = await liveAllocs('canary');
    expect(live).toHaveLength(3);
    expect(live.every((stored) => stored.jobVersion === 1)).toBe(true);
    expect(new Set(live.map((stored) => stored.alloc.Name)).size).toBe(3);
    const job = (await api('GET', '/v1/job/canary')).body;
    expect(job).toMatchObject({ Version: 1, Stable: true, Status: 'running' });
    expect((await api('GET', `/v1/deployment/${deployment.ID}`)).body.ID).toBe(deployment.ID);
    expect((await api('GET', `/v1/deployment/allocations/${deployment.ID}`)).body.length).toBeGreaterThanOrEqual(3);
  });

  it('auto-reverts to the last stable version when an allocation turns unhealthy', async () => {
    const update = { AutoRevert: true, ProgressDeadline: 0 };
    await api('POST', '/v1/jobs', { Job: versioned('revert', 2, { V: '0' }, update) });
    await settleHealthy('revert');
    expect((await latestDeployment('revert')).Status).toBe('successful');

    await api('POST', '/v1/job/revert', { Job: versioned('revert', 2, { V: 'bad' }, update) });
    await drainEvalQueue();
    const deployment = await latestDeployment('revert');
    expect(deployment).toMatchObject({ Status: 'running', JobVersion: 1 });
    const fresh = (await liveAllocs('revert')).filter((stored) => stored.jobVersion === 1);
    expect(fresh).toHaveLength(1);
    await report(fresh, 'failed', false);

    const failed = (await api('GET', `/v1/deployment/${deployment.ID}`)).body;
    expect(failed).toMatchObject({ Status: 'failed', StatusDescription: 'Failed due to unhealthy allocations - rolling back to job version 0' });
    const job = (await api('GET', '/v1/job/revert')).body;
    expect(job.Version).toBe(2);
    expect(job.TaskGroups[0].Tasks[0].Env).toEqual({ V: '0' });
    await settleHealthy('revert');
    const live = await liveAllocs('revert');
    expect(live).toHaveLength(2);
    expect(live.every((stored) => stored.jobVersion === 2)).toBe(true);
    expect((await latestDeployment('revert')).JobVersion).toBe(2);
  });

  it('lets operators pause, resume and fail a deployment, with Nomad’s errors', async () => {
    await api('POST', '/v1/jobs', { Job: versioned('steer', 2, { V: '0' }, {}) });
    await drainEvalQueue();
    const deployment = await latestDeployment('steer');
    const paused = await api('PUT', `/v1/deployment/pause/${deployment.ID}`, { DeploymentID: deployment.ID, Pause: true });
    expect(paused.status).toBe(200);
    expect((await latestDeployment('steer')).StatusDescription).toBe('Deployment is paused');
    await api('PUT', `/v1/deployment/pause/${deployment.ID}`, { DeploymentID: deployment.ID, Pause: false });
    expect((await latestDeployment('steer')).Status).toBe('running');
    const mismatch = await api('PUT', `/v1/deployment/fail/${deployment.ID}`, { DeploymentID: 'other' });
    expect([mismatch.status, mismatch.text]).toEqual([400, 'Deployment ID does not match']);
    const failed = await api('PUT', `/v1/deployment/fail/${deployment.ID}`, { DeploymentID: deployment.ID });
    expect(failed.status).toBe(200);
    expect((await latestDeployment('steer')).StatusDescription).toBe('Deployment marked as failed');
    const again = await api('PUT', `/v1/deployment/fail/${deployment.ID}`);
    expect([again.status, again.text]).toEqual([400, "can't fail terminal deployment"]);
    const first = await api('GET', '/v1/deployments?per_page=1');
    expect(first.body).toHaveLength(1);
    const token = first.headers.get('X-Nomad-NextToken')!;
    expect(token).toMatch(/^\d+\.[0-9a-f-]{36}$/);
    const all = (await api('GET', '/v1/deployments')).body;
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(all.map((d: any) => d.CreateIndex)).toEqual([...all.map((d: any) => d.CreateIndex)].sort((a, b) => a - b));
    expect((await api('GET', `/v1/deployments?per_page=1&next_token=${token}`)).body[0].ID).toBe(all[1].ID);
    expect((await api('GET', `/v1/deployments?prefix=${deployment.ID.slice(0, 8)}`)).body.map((d: any) => d.ID)).toEqual([deployment.ID]);
    const missing = await api('GET', '/v1/deployment/00000000-0000-0000-0000-000000000000');
    expect([missing.status, missing.text]).toEqual([404, 'deployment not found']);
    await drainEvalQueue();
    expect((await api('GET', '/v1/job/steer')).body.Status).toBe('running');
  });
});
