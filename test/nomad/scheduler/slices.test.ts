import { describe, expect, it } from 'vitest';
import { computePlan, planInSlices } from '../../../shared/nomad/scheduler/generic-sched';
import type { SchedulerResult } from '../../../shared/nomad/scheduler/types';
import { committed, evaluation, group, job, node, snapshot } from './fixtures';

/** Deterministic IDs and node order, the same for two runs that start from the same counter. */
function seeded() {
  let ids = 0;
  return { newId: () => `id-${++ids}`, random: () => 0.5 };
}

function allSlices(slices: { next(max: number): SchedulerResult }, size: number): SchedulerResult[] {
  const results = [slices.next(size)];
  while (results[results.length - 1].deferredPlacements > 0) results.push(slices.next(size));
  return results;
}

const placed = (results: SchedulerResult[]) => results.flatMap((result) => result.plan.placements.map((stored) => `${stored.alloc.Name}@${stored.alloc.NodeID}`));

describe('a plan made in slices', () => {
  it('places exactly what the whole plan places, slice by slice, each name once', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => node(id, {}, 10_000, 10_000));
    const j = job({ TaskGroups: [group(250), { ...group(40), Name: 'side' }] });
    const whole = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options: seeded() });
    const results = allSlices(planInSlices({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options: seeded() }), 60);

    expect(results.map((result) => result.plan.placements.length)).toEqual([60, 60, 60, 60, 50]);
    expect(results.map((result) => result.deferredPlacements)).toEqual([230, 170, 110, 50, 0]);
    expect(placed(results)).toEqual(placed([whole]));
    expect(new Set(placed(results).map((entry) => entry.split('@')[0])).size).toBe(290);
    // What is not placed yet is queued until the slice that places it.
    expect(results[0].queuedAllocations).toEqual({ app: 190, side: 40 });
    expect(results[4].queuedAllocations).toEqual({ app: 0, side: 0 });
    expect(whole.deferredPlacements).toBe(0);
  });

  it('sees the capacity earlier slices took, and reports what fits nowhere in the last slice', () => {
    // Two nodes of ten 100 MHz allocations each: 20 of 25 fit.
    const nodes = [node('a', {}, 1000), node('b', {}, 1000)];
    const j = job({ TaskGroups: [group(25)] });
    const results = allSlices(planInSlices({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options: seeded() }), 8);
    const all = results.flatMap((result) => result.plan.placements);
    expect(all).toHaveLength(20);
    for (const id of ['a', 'b']) expect(all.filter((stored) => stored.alloc.NodeID === id)).toHaveLength(10);
    const last = results[results.length - 1];
    expect(last.deferredPlacements).toBe(0);
    expect(last.queuedAllocations.app).toBe(5);
    expect(last.failedTGAllocs.app.CoalescedFailures).toBe(4);
  });

  it('carries the stops and the deployment in the first slice only', () => {
    const nodes = [node('a', {}, 100_000, 100_000)];
    const old = job({ TaskGroups: [group(30)] });
    const running = committed(computePlan({ snapshot: snapshot(old, nodes), evaluation: evaluation(), options: seeded() }).plan.placements);
    // Registered again under the same ID, with an update stanza: the old registration's allocations
    // stop, and twenty new ones are placed under a new deployment.
    const update = { MaxParallel: 25, HealthCheck: 'checks', MinHealthyTime: 1, HealthyDeadline: 60e9, ProgressDeadline: 600e9, Canary: 0, AutoRevert: false, AutoPromote: false, Stagger: 30e9 };
    const again = { ...job({ TaskGroups: [group(20, { Update: update })] }), CreateIndex: 5, JobModifyIndex: 5, ModifyIndex: 5 };
    const slices = planInSlices({ snapshot: snapshot(again, nodes, running), evaluation: evaluation({ ID: 'eval-2' }), options: seeded() });
    const first = slices.next(5);
    expect(first.plan.stops).toHaveLength(30);
    expect(first.plan.placements).toHaveLength(5);
    expect(first.plan.deployment?.TaskGroups.app.DesiredTotal).toBe(20);
    const second = slices.next(5);
    expect(second.plan.stops).toHaveLength(0);
    expect(second.plan.deployment).toBeUndefined();
    expect(second.plan.placements).toHaveLength(5);
    expect(second.plan.placements.every((stored) => stored.alloc.DeploymentID === first.plan.deployment!.ID)).toBe(true);
    expect(second.deferredPlacements).toBe(10);
  });

  it('plans a stopped job in one slice', () => {
    const nodes = [node('a', {}, 100_000, 100_000)];
    const j = job({ TaskGroups: [group(12)] });
    const running = committed(computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options: seeded() }).plan.placements);
    const slices = planInSlices({ snapshot: snapshot({ ...j, Stop: true }, nodes, running), evaluation: evaluation(), options: seeded() });
    const first = slices.next(5);
    expect(first.plan.stops).toHaveLength(12);
    expect(first.deferredPlacements).toBe(0);
  });
});
