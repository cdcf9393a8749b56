import { describe, expect, it } from 'vitest';
import { computePlan } from '../../../shared/nomad/scheduler/generic-sched';
import { fitScore } from '../../../shared/nomad/scheduler/rank';
import type { StoredNode } from '../../../shared/nomad/store/nodes';
import type { Job } from '../../../shared/nomad/structs/job';
import type { Node } from '../../../shared/nomad/structs/node';
import { evaluation as fixtureEvaluation, job as fixtureJob, node as fixtureNode, options, snapshot } from './fixtures';

/** This file's shapes of the shared fixtures: nodes by size, and a one-group job by count and CPU. */
function node(id: string, cpu = 1000, memoryMB = 1024, extra: Partial<Node> = {}): StoredNode {
  return fixtureNode(id, extra, cpu, memoryMB);
}

function job(count: number, cpu = 800, extra: Record<string, unknown> = {}): Job {
  return fixtureJob({ TaskGroups: [{ Name: 'app', Count: count, Tasks: [{ Name: 't', Driver: 'raw_exec', Resources: { CPU: cpu, MemoryMB: 100 } }] }], ...extra });
}

const evaluation = fixtureEvaluation();

describe('computePlan', () => {
  it('places one allocation per node when each node fits only one (3 × 1000 MHz, 800 MHz tasks)', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const result = computePlan({ snapshot: snapshot(job(3), nodes), evaluation, options });
    expect(result.plan.placements).toHaveLength(3);
    expect(new Set(result.plan.placements.map((p) => p.alloc.NodeID))).toEqual(new Set(['a', 'b', 'c']));
    expect(result.plan.placements.map((p) => p.alloc.Name).sort()).toEqual(['web.app[0]', 'web.app[1]', 'web.app[2]']);
    expect(result.failedTGAllocs).toEqual({});
  });

  it('places what fits and reports the rest as queued with the exhausted dimension', () => {
    const result = computePlan({ snapshot: snapshot(job(4), [node('a'), node('b'), node('c')]), evaluation, options });
    expect(result.plan.placements).toHaveLength(3);
    expect(result.queuedAllocations).toEqual({ app: 1 });
    expect(result.failedTGAllocs.app.NodesExhausted).toBe(3);
    expect(result.failedTGAllocs.app.DimensionExhausted).toEqual({ cpu: 3 });
    expect(result.failedTGAllocs.app.NodesAvailable).toEqual({ dc1: 3 });
  });

  it('never plans beyond a node capacity already claimed', () => {
    const busy = node('a');
    busy.used = { CpuShares: 900, MemoryMB: 0, DiskMB: 0 };
    const result = computePlan({ snapshot: snapshot(job(1), [busy]), evaluation, options });
    expect(result.plan.placements).toHaveLength(0);
    expect(result.queuedAllocations.app).toBe(1);
  });

  it('filters nodes that lack the driver, are down or are outside the datacenters', () => {
    const nodes = [
      node('nodriver', 1000, 1024, { Drivers: {} }),
      node('down', 1000, 1024, { Status: 'down' }),
      node('elsewhere', 1000, 1024, { Datacenter: 'dc2' }),
      node('good'),
    ];
    const result = computePlan({ snapshot: snapshot(job(2), nodes), evaluation, options });
    expect(result.plan.placements.map((p) => p.alloc.NodeID)).toEqual(['good']);
    expect(result.failedTGAllocs.app.ConstraintFiltered).toEqual({ 'missing drivers': 1 });
  });

  it('is idempotent: existing allocations are not placed again, excess ones are stopped from the top', () => {
    const j = job(2, 100);
    const first = computePlan({ snapshot: snapshot(j, [node('a')]), evaluation, options });
    expect(first.plan.placements).toHaveLength(2);
    const again = computePlan({ snapshot: snapshot(j, [node('a')], first.plan.placements), evaluation, options });
    expect(again.plan.placements).toHaveLength(0);
    expect(again.plan.stops).toHaveLength(0);
    const smaller = { ...j, TaskGroups: [{ ...j.TaskGroups[0], Count: 1 }], JobModifyIndex: 2, Version: 1 };
    const scaled = computePlan({ snapshot: { ...snapshot(smaller, [node('a')], first.plan.placements), versions: { 0: j, 1: smaller } }, evaluation, options });
    expect(scaled.plan.stops.map((s) => s.allocId)).toEqual([first.plan.placements.find((p) => p.alloc.Name === 'web.app[1]')!.alloc.ID]);
  });

  it('stops every live allocation of a stopped job, marking those on down nodes lost', () => {
    const j = job(2, 100);
    const placed = computePlan({ snapshot: snapshot(j, [node('a'), node('b')]), evaluation, options }).plan.placements;
    const nodes = [node('a'), node('b', 1000, 1024, { Status: 'down' })];
    const result = computePlan({ snapshot: snapshot({ ...j, Stop: true }, nodes, placed), evaluation, options });
    expect(result.plan.stops).toHaveLength(2);
    const onB = placed.find((p) => p.alloc.NodeID === 'b');
    if (onB) expect(result.plan.stops.find((s) => s.allocId === onB.alloc.ID)?.clientStatus).toBe('lost');
  });

  it('replaces allocations destructively when the task changes, in place otherwise', () => {
    const j = job(1, 100);
    const placed = computePlan({ snapshot: snapshot(j, [node('a')]), evaluation, options }).plan.placements;
    const envChanged: Job = structuredClone(j);
    envChanged.TaskGroups[0].Tasks[0].Env = { A: 'b' };
    Object.assign(envChanged, { Version: 1, JobModifyIndex: 2 });
    const destructive = computePlan({ snapshot: { ...snapshot(envChanged, [node('a')], placed), versions: { 0: j, 1: envChanged } }, evaluation, options });
    expect(destructive.desiredTGUpdates.app.DestructiveUpdate).toBe(1);
    expect(destructive.plan.placements[0].alloc.PreviousAllocation).toBe(placed[0].alloc.ID);
    const metaOnGroupUpdate: Job = structuredClone(j);
    metaOnGroupUpdate.TaskGroups[0].Update!.MaxParallel = 2;
    Object.assign(metaOnGroupUpdate, { Version: 1, JobModifyIndex: 2 });
    const inPlace = computePlan({ snapshot: { ...snapshot(metaOnGroupUpdate, [node('a')], placed), versions: { 0: j, 1: metaOnGroupUpdate } }, evaluation, options });
    expect(inPlace.desiredTGUpdates.app.InPlaceUpdate).toBe(1);
    expect(inPlace.plan.placements).toHaveLength(0);
  });
});

describe('fitScore', () => {
  it('prefers fuller nodes when bin-packing', () => {
    const n = node('a').node;
    const claim = { CpuShares: 100, MemoryMB: 100, DiskMB: 0 };
    const empty = fitScore(n, { CpuShares: 0, MemoryMB: 0, DiskMB: 0 }, claim);
    const busy = fitScore(n, { CpuShares: 700, MemoryMB: 700, DiskMB: 0 }, claim);
    expect(busy).toBeGreaterThan(empty);
    expect(fitScore(n, { CpuShares: 700, MemoryMB: 700, DiskMB: 0 }, claim, 'spread')).toBeLessThan(fitScore(n, { CpuShares: 0, MemoryMB: 0, DiskMB: 0 }, claim, 'spread'));
  });
});
