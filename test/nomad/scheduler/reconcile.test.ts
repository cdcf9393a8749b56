import { describe, expect, it } from 'vitest';
import { computePlan } from '../../../shared/nomad/scheduler/generic-sched';
import { nextDelay, nextRescheduleTime } from '../../../shared/nomad/scheduler/reschedule';
import type { StoredAlloc } from '../../../shared/nomad/store/allocs';
import type { Deployment } from '../../../shared/nomad/structs/deployment';
import type { Job } from '../../../shared/nomad/structs/job';
import { committed, evaluation, group, job, node, options, snapshot } from './fixtures';

const SECOND = 1_000_000_000;
const nodes = [node('a', {}, 4000, 4096), node('b', {}, 4000, 4096)];

/** A job's allocations after its first plan, running (and healthy if asked). */
function running(j: Job, healthy = false): { allocs: StoredAlloc[]; deployment?: Deployment } {
  const result = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options });
  const deployment = result.plan.deployment;
  const allocs = committed(result.plan.placements, { ClientStatus: 'running' }).map((stored) => ({
    ...stored,
    alloc: { ...stored.alloc, DeploymentStatus: healthy ? { Healthy: true, Timestamp: '', Canary: false, ModifyIndex: 1 } : null },
  }));
  return { allocs, deployment };
}

function successful(deployment: Deployment | undefined): Deployment | undefined {
  return deployment && { ...deployment, Status: 'successful' };
}

function changed(j: Job, env: Record<string, string>, update: Record<string, unknown> = {}): Job {
  const next: Job = structuredClone(j);
  next.TaskGroups[0].Tasks[0].Env = env;
  Object.assign(next.TaskGroups[0].Update!, update);
  return { ...next, Version: j.Version + 1, JobModifyIndex: j.JobModifyIndex + 1, ModifyIndex: j.ModifyIndex + 1 };
}

describe('deployments', () => {
  it('creates a deployment for a new version and rolls destructive updates MaxParallel at a time', () => {
    const v0 = job({ TaskGroups: [group(4)] });
    const { allocs, deployment } = running(v0, true);
    expect(deployment).toMatchObject({ Status: 'running', JobVersion: 0, TaskGroups: { app: { DesiredTotal: 4 } } });
    const v1 = changed(v0, { A: '1' });
    const result = computePlan({ snapshot: snapshot(v1, nodes, allocs, { versions: { 0: v0, 1: v1 }, deployment: successful(deployment) }), evaluation: evaluation(), options });
    expect(result.desiredTGUpdates.app).toMatchObject({ DestructiveUpdate: 1, Ignore: 3 });
    expect(result.plan.deployment).toMatchObject({ JobVersion: 1, Status: 'running', StatusDescription: 'Deployment is running', TaskGroups: { app: { DesiredTotal: 4 } } });
    expect(result.plan.placements).toHaveLength(1);
    expect(result.plan.stops.map((stop) => stop.desiredDescription)).toEqual(['alloc is being updated due to job update']);
    expect(result.plan.stops[0].replacedBy).toBe(result.plan.placements[0].alloc.ID);
  });

  it('places canaries first and nothing else until they are promoted, then replaces the rest', () => {
    const v0 = job({ TaskGroups: [group(3)] });
    const { allocs, deployment } = running(v0, true);
    const v1 = changed(v0, { A: '1' }, { Canary: 1 });
    const versions = { 0: v0, 1: v1 };
    const first = computePlan({ snapshot: snapshot(v1, nodes, allocs, { versions, deployment: successful(deployment) }), evaluation: evaluation(), options });
    expect(first.desiredTGUpdates.app).toMatchObject({ Canary: 1, DestructiveUpdate: 0, Ignore: 3 });
    expect(first.plan.deployment?.StatusDescription).toBe('Deployment is running but requires manual promotion');
    const canary = first.plan.placements[0];
    expect(canary.alloc.DeploymentStatus).toMatchObject({ Canary: true, Healthy: null });
    expect(first.plan.stops).toEqual([]);

    // Waiting for promotion: the healthy canary holds, nothing more happens.
    const dep: Deployment = { ...first.plan.deployment!, TaskGroups: { app: { ...first.plan.deployment!.TaskGroups.app, PlacedCanaries: [canary.alloc.ID], PlacedAllocs: 1, HealthyAllocs: 1 } } };
    const healthyCanary = committed([canary], { ClientStatus: 'running', DeploymentStatus: { Healthy: true, Timestamp: '', Canary: true, ModifyIndex: 2 } });
    const waiting = computePlan({ snapshot: snapshot(v1, nodes, [...allocs, ...healthyCanary], { versions, deployment: dep }), evaluation: evaluation(), options });
    expect(waiting.plan.placements).toEqual([]);
    expect(waiting.plan.stops).toEqual([]);

    // Promoted: the old allocation with the canary's name stops, the others roll.
    const promoted = { ...dep, TaskGroups: { app: { ...dep.TaskGroups.app, Promoted: true } } };
    const after = computePlan({ snapshot: snapshot(v1, nodes, [...allocs, ...healthyCanary], { versions, deployment: promoted }), evaluation: evaluation(), options });
    const stopped = after.plan.stops.filter((stop) => stop.desiredDescription === 'alloc not needed due to job update');
    expect(stopped).toHaveLength(1);
    expect(allocs.find((stored) => stored.alloc.ID === stopped[0].allocId)!.alloc.Name).toBe(canary.alloc.Name);
    expect(after.desiredTGUpdates.app.DestructiveUpdate).toBe(1);
  });

  it('marks the deployment successful once every allocation is healthy', () => {
    const v0 = job({ TaskGroups: [group(2)] });
    const { allocs, deployment } = running(v0, true);
    const dep = { ...deployment!, TaskGroups: { app: { ...deployment!.TaskGroups.app, HealthyAllocs: 2, PlacedAllocs: 2 } } };
    const result = computePlan({ snapshot: snapshot(v0, nodes, allocs, { deployment: dep }), evaluation: evaluation(), options });
    expect(result.plan.deploymentUpdates).toEqual([{ deploymentId: dep.ID, status: 'successful', description: 'Deployment completed successfully' }]);
  });

  it('cancels the deployment of an older version and of a stopped job', () => {
    const v0 = job({ TaskGroups: [group(2)] });
    const { allocs, deployment } = running(v0);
    const v1 = changed(v0, { A: '1' });
    const newer = computePlan({ snapshot: snapshot(v1, nodes, allocs, { versions: { 0: v0, 1: v1 }, deployment }), evaluation: evaluation(), options });
    expect(newer.plan.deploymentUpdates).toEqual([{ deploymentId: deployment!.ID, status: 'cancelled', description: 'Cancelled due to newer version of job' }]);
    const stopped = computePlan({ snapshot: snapshot({ ...v0, Stop: true }, nodes, allocs, { deployment }), evaluation: evaluation(), options });
    expect(stopped.plan.deploymentUpdates[0]).toMatchObject({ status: 'cancelled', description: 'Cancelled because job is stopped' });
    expect(stopped.plan.stops).toHaveLength(2);
  });
});

describe('failures', () => {
  const failedAt = 1_700_000_000_000;
  function failed(stored: StoredAlloc, extra: Partial<StoredAlloc['alloc']> = {}): StoredAlloc {
    return {
      ...stored,
      live: false,
      alloc: {
        ...stored.alloc,
        ClientStatus: 'failed',
        TaskStates: { t: { State: 'dead', Failed: true, Restarts: 0, LastRestart: null, StartedAt: null, FinishedAt: new Date(failedAt).toISOString(), Events: null } },
        ...extra,
      },
    };
  }

  it('reschedules a failed allocation once its delay passed, on another node, with a tracker', () => {
    const j = job({ TaskGroups: [group(1, { ReschedulePolicy: { Attempts: 2, Interval: 3600 * SECOND, Delay: 5 * SECOND, DelayFunction: 'constant', Unlimited: false } })] });
    const { allocs } = running(j);
    const broken = failed(allocs[0]);
    const result = computePlan({ snapshot: snapshot(j, nodes, [broken], { now: failedAt + 6_000 }), evaluation: evaluation({ TriggeredBy: 'alloc-failure' }), options });
    const replacement = result.plan.placements[0];
    expect(replacement.alloc.PreviousAllocation).toBe(broken.alloc.ID);
    expect(replacement.alloc.NodeID).not.toBe(broken.alloc.NodeID);
    expect(replacement.alloc.RescheduleTracker?.Events).toEqual([{ RescheduleTime: (failedAt + 6_000) * 1_000_000, PrevAllocID: broken.alloc.ID, PrevNodeID: broken.alloc.NodeID, Delay: 5 * SECOND }]);
    expect(result.plan.stops).toEqual([expect.objectContaining({ allocId: broken.alloc.ID, desiredDescription: 'alloc was rescheduled because it failed', replacedBy: replacement.alloc.ID })]);
  });

  it('creates a follow-up evaluation for a reschedule that is not due yet', () => {
    const j = job({ TaskGroups: [group(1)] });
    const { allocs } = running(j);
    const result = computePlan({ snapshot: snapshot(j, nodes, [failed(allocs[0])], { now: failedAt + 1_000 }), evaluation: evaluation(), options });
    expect(result.plan.placements).toEqual([]);
    expect(result.plan.followupEvals).toHaveLength(1);
    expect(result.plan.followupEvals[0]).toMatchObject({ TriggeredBy: 'alloc-failure', Status: 'pending', StatusDescription: 'created for delayed rescheduling', WaitUntil: new Date(failedAt + 30_000).toISOString() });
    expect(result.plan.allocUpdates).toEqual([{ allocId: allocs[0].alloc.ID, followupEvalId: result.plan.followupEvals[0].ID }]);
    // The follow-up evaluation itself reschedules it.
    const stamped = failed(allocs[0], { FollowupEvalID: result.plan.followupEvals[0].ID });
    const later = computePlan({ snapshot: snapshot(j, nodes, [stamped], { now: failedAt + 30_000 }), evaluation: evaluation({ ID: result.plan.followupEvals[0].ID }), options });
    expect(later.plan.placements).toHaveLength(1);
  });

  it('stops rescheduling when the attempts in the interval are used up', () => {
    const policy = { Attempts: 1, Interval: 3600 * SECOND, Delay: 5 * SECOND, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false };
    const j = job({ TaskGroups: [group(1, { ReschedulePolicy: policy })] });
    const { allocs } = running(j);
    const tracked = failed(allocs[0], { RescheduleTracker: { Events: [{ RescheduleTime: (failedAt - 60_000) * 1_000_000, PrevAllocID: 'x', PrevNodeID: 'a', Delay: 5 * SECOND }] } });
    const result = computePlan({ snapshot: snapshot(j, nodes, [tracked], { now: failedAt + 10_000 }), evaluation: evaluation(), options });
    expect(result.plan.placements).toEqual([]);
    expect(result.plan.followupEvals).toEqual([]);
  });

  it('computes constant, exponential and fibonacci delays, capped at MaxDelay', () => {
    const events = (delays: number[]) => ({ Events: delays.map((Delay) => ({ RescheduleTime: 0, PrevAllocID: '', PrevNodeID: '', Delay })) });
    const base = { Attempts: 0, Interval: 0, Delay: 5, MaxDelay: 30, Unlimited: true };
    const alloc = (delays: number[]) => ({ RescheduleTracker: delays.length ? events(delays) : null, TaskStates: null, ModifyTime: 0 }) as any;
    expect(nextDelay(alloc([]), { ...base, DelayFunction: 'exponential' })).toBe(5);
    expect(nextDelay(alloc([5, 10]), { ...base, DelayFunction: 'exponential' })).toBe(20);
    expect(nextDelay(alloc([5, 10, 20]), { ...base, DelayFunction: 'exponential' })).toBe(30);
    expect(nextDelay(alloc([5, 5]), { ...base, DelayFunction: 'fibonacci' })).toBe(10);
    expect(nextDelay(alloc([5, 10]), { ...base, DelayFunction: 'fibonacci' })).toBe(15);
    expect(nextDelay(alloc([5, 10]), { ...base, DelayFunction: 'constant' })).toBe(5);
    expect(nextRescheduleTime({ ...alloc([]), ClientStatus: 'running', DesiredStatus: 'run' }, { ...base, DelayFunction: 'constant' }).eligible).toBe(false);
  });

  it('replaces allocations lost with their node, keeping the name', () => {
    const j = job({ TaskGroups: [group(2)] });
    const { allocs } = running(j);
    const onA = allocs.filter((stored) => stored.alloc.NodeID === 'a');
    const result = computePlan({ snapshot: snapshot(j, [node('a', { Status: 'down' }), nodes[1]], allocs), evaluation: evaluation({ TriggeredBy: 'node-update' }), options });
    expect(result.plan.stops.map((stop) => stop.clientStatus)).toEqual(onA.map(() => 'lost'));
    expect(result.plan.placements.map((p) => p.alloc.Name).sort()).toEqual(onA.map((stored) => stored.alloc.Name).sort());
    expect(result.plan.placements.every((p) => p.alloc.NodeID === 'b')).toBe(true);
  });

  it('does not run finished batch work again, but replaces failed batch work', () => {
    const j = job({ Type: 'batch', TaskGroups: [group(2)] });
    const { allocs } = running(j);
    const done = committed([allocs[0]], { ClientStatus: 'complete' }).map((stored) => ({ ...stored, live: false }));
    const result = computePlan({ snapshot: snapshot(j, nodes, [...done, failed(allocs[1])], { now: failedAt + 10_000 }), evaluation: evaluation(), options });
    expect(result.plan.placements.map((p) => p.alloc.Name)).toEqual([allocs[1].alloc.Name]);
  });
});
