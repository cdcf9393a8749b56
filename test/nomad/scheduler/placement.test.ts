import { describe, expect, it } from 'vitest';
import { computePlan } from '../../../shared/nomad/scheduler/generic-sched';
import { sampleLimit } from '../../../shared/nomad/scheduler/select-node';
import { seededRandom } from '../../../shared/nomad/scheduler/seeded-random';
import { committed, evaluation, group, job, node, options, snapshot } from './fixtures';

const nodesOf = (placements: { alloc: { NodeID: string } }[]) => placements.map((p) => p.alloc.NodeID);

describe('feasibility', () => {
  it('applies job, group and task constraints and reports them in ConstraintFiltered', () => {
    const nodes = [node('a', { Meta: { rack: 'r1' } }), node('b', { Attributes: { 'kernel.name': 'windows' }, Meta: { rack: 'r2' } }), node('c')];
    const j = job({
      Constraints: [{ LTarget: '${attr.kernel.name}', Operand: '=', RTarget: 'linux' }],
      TaskGroups: [group(3, { Constraints: [{ LTarget: '${meta.rack}', Operand: 'is_set' }] })],
    });
    const result = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options });
    expect(nodesOf(result.plan.placements)).toEqual(['a', 'a', 'a']);
    const none = computePlan({ snapshot: snapshot(j, nodes.slice(1)), evaluation: evaluation(), options });
    expect(none.failedTGAllocs.app.ConstraintFiltered).toEqual({ '${attr.kernel.name} = linux': 1, '${meta.rack} is_set ': 1 });
    expect(none.failedTGAllocs.app.NodesFiltered).toBe(2);
  });

  it('filters task-level constraints, datacenter globs, pools, drivers and drained or ineligible nodes', () => {
    const nodes = [
      node('eu', { Datacenter: 'eu-1' }),
      node('us', { Datacenter: 'us-1' }),
      node('pool', { Datacenter: 'eu-2', NodePool: 'gpu' }),
      node('drained', { Datacenter: 'eu-3', DrainStrategy: { Deadline: 1 } }),
      node('ineligible', { Datacenter: 'eu-4', SchedulingEligibility: 'ineligible' }),
      node('nodriver', { Datacenter: 'eu-5', Drivers: {} }),
    ];
    const j = job({ Datacenters: ['eu-*'], TaskGroups: [group(2)] });
    const result = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options });
    expect(new Set(nodesOf(result.plan.placements))).toEqual(new Set(['eu']));
    const constrained = job({
      TaskGroups: [{ ...group(1), Tasks: [{ Name: 't', Driver: 'raw_exec', Resources: { CPU: 100, MemoryMB: 64 }, Constraints: [{ LTarget: '${node.unique.name}', Operand: '=', RTarget: 'nobody' }] }] }],
    });
    const none = computePlan({ snapshot: snapshot(constrained, [node('x')]), evaluation: evaluation(), options });
    expect(none.failedTGAllocs.app.ConstraintFiltered).toEqual({ '${node.unique.name} = nobody': 1 });
    expect(none.escapedComputedClass).toBe(true);
  });

  it('caches results per computed class and tells blocked evaluations which classes fit', () => {
    const nodes = [node('a', { NodeClass: 'small' }), node('b', { NodeClass: 'small' }), node('c', { NodeClass: 'big', Meta: { big: 'yes' } })];
    const j = job({ TaskGroups: [group(1, { Constraints: [{ LTarget: '${meta.big}', Operand: '=', RTarget: 'yes' }] })] });
    const result = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options });
    expect(nodesOf(result.plan.placements)).toEqual(['c']);
    expect(result.classEligibility[nodes[2].node.ComputedClass]).toBe(true);
    expect(result.escapedComputedClass).toBe(false);
  });

  it('keeps distinct_hosts allocations apart and reports the nodes it filters', () => {
    const j = job({ TaskGroups: [group(3, { Constraints: [{ LTarget: '', Operand: 'distinct_hosts', RTarget: 'true' }] })] });
    const result = computePlan({ snapshot: snapshot(j, [node('a'), node('b')]), evaluation: evaluation(), options });
    expect(new Set(nodesOf(result.plan.placements)).size).toBe(2);
    expect(result.queuedAllocations.app).toBe(1);
    expect(result.failedTGAllocs.app.ConstraintFiltered).toEqual({ distinct_hosts: 2 });
  });

  it('limits allocations per property value with distinct_property', () => {
    const nodes = [node('a', { Meta: { rack: 'r1' } }), node('b', { Meta: { rack: 'r1' } }), node('c', { Meta: { rack: 'r2' } }), node('d')];
    const j = job({ Constraints: [{ LTarget: '${meta.rack}', Operand: 'distinct_property', RTarget: '1' }], TaskGroups: [group(3)] });
    const result = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options });
    const racks = result.plan.placements.map((p) => nodes.find((n) => n.node.ID === p.alloc.NodeID)!.node.Meta.rack);
    expect(racks.sort()).toEqual(['r1', 'r2']);
    expect(result.failedTGAllocs.app.ConstraintFiltered?.distinct_property).toBeGreaterThan(0);
  });
});

describe('ranking', () => {
  it('bin-packs by default and spreads with the spread algorithm', () => {
    const j = job({ TaskGroups: [group(1, {}, 100)] });
    const busy = node('busy');
    busy.used = { CpuShares: 800, MemoryMB: 800, DiskMB: 0 };
    const nodes = [busy, node('idle')];
    const packed = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options });
    const spread = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options: { ...options, algorithm: 'spread' } });
    expect(nodesOf(packed.plan.placements)).toEqual(['busy']);
    expect(nodesOf(spread.plan.placements)).toEqual(['idle']);
    expect(packed.plan.placements[0].alloc.Metrics?.Scores).toHaveProperty('busy.binpack');
  });

  it('prefers nodes matching affinities, weighted', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => node(id, { Meta: { ssd: id === 'e' ? 'true' : 'false' } }));
    const j = job({ TaskGroups: [group(1, { Affinities: [{ LTarget: '${meta.ssd}', Operand: '=', RTarget: 'true', Weight: 100 }] })] });
    const result = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options });
    expect(nodesOf(result.plan.placements)).toEqual(['e']);
    expect(result.plan.placements[0].alloc.Metrics?.Scores?.['e.node-affinity']).toBe(1);
  });

  it('spreads over attribute values by target percentages', () => {
    const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`, { Datacenter: i < 5 ? 'dc1' : 'dc2' }, 10_000, 10_000));
    const j = job({
      Datacenters: ['dc1', 'dc2'],
      TaskGroups: [group(10, { Spreads: [{ Attribute: '${node.datacenter}', Weight: 100, SpreadTarget: [{ Value: 'dc1', Percent: 70 }, { Value: 'dc2', Percent: 30 }] }] })],
    });
    const result = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options });
    const dc1 = result.plan.placements.filter((p) => nodes.find((n) => n.node.ID === p.alloc.NodeID)!.node.Datacenter === 'dc1').length;
    expect(result.plan.placements).toHaveLength(10);
    expect(dc1).toBe(7);
  });

  it('spreads evenly without targets', () => {
    const nodes = Array.from({ length: 9 }, (_, i) => node(`n${i}`, { Meta: { zone: `z${i % 3}` } }, 10_000, 10_000));
    const j = job({ TaskGroups: [group(6, { Spreads: [{ Attribute: '${meta.zone}', Weight: 50 }] })] });
    const result = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options });
    const zones = result.plan.placements.map((p) => nodes.find((n) => n.node.ID === p.alloc.NodeID)!.node.Meta.zone);
    expect(['z0', 'z1', 'z2'].map((zone) => zones.filter((z) => z === zone).length)).toEqual([2, 2, 2]);
  });

  it('penalises nodes already running the group (job anti-affinity)', () => {
    const j = job({ TaskGroups: [group(2, {}, 100)] });
    const result = computePlan({ snapshot: snapshot(j, [node('a'), node('b')]), evaluation: evaluation(), options });
    expect(new Set(nodesOf(result.plan.placements)).size).toBe(2);
  });

  it('samples O(log n) nodes per placement, not all of them', () => {
    const nodes = Array.from({ length: 1024 }, (_, i) => node(`n${i}`));
    const result = computePlan({ snapshot: snapshot(job({ TaskGroups: [group(5)] }), nodes), evaluation: evaluation(), options });
    expect(sampleLimit(1024, false)).toBe(10);
    for (const placement of result.plan.placements) expect(placement.alloc.Metrics!.NodesEvaluated).toBeLessThanOrEqual(13);
    const batch = computePlan({ snapshot: snapshot(job({ Type: 'batch', TaskGroups: [group(1)] }), nodes), evaluation: evaluation(), options });
    expect(batch.plan.placements[0].alloc.Metrics!.NodesEvaluated).toBeLessThanOrEqual(5);
  });

  it('walks the nodes in an order seeded by the evaluation: the same evaluation again picks the same nodes, others pick elsewhere', () => {
    const nodes = Array.from({ length: 400 }, (_, i) => node(`n${i}`));
    const j = job({ TaskGroups: [group(3)] });
    const firstNode = (seed: string) => nodesOf(computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation(), options: { ...options, random: seededRandom(seed) } }).plan.placements)[0];
    expect(firstNode('eval-1/1')).toBe(firstNode('eval-1/1'));
    const others = new Set(Array.from({ length: 20 }, (_, i) => firstNode(`eval-${i}/1`)));
    expect(others.size).toBeGreaterThan(15);
    const draws = Array.from({ length: 1000 }, seededRandom('eval-1/1'));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.filter((draw) => draw < 0.5).length).toBeGreaterThan(400);
    expect(draws.filter((draw) => draw < 0.5).length).toBeLessThan(600);
  });
});

describe('system jobs', () => {
  const system = (extra: Record<string, unknown> = {}) => job({ Type: 'system', TaskGroups: [group(1)], ...extra });

  it('places one allocation on every feasible node and skips the ones constraints rule out', () => {
    const nodes = [node('a'), node('b'), node('c', { Attributes: { 'kernel.name': 'windows' } })];
    const j = system({ Constraints: [{ LTarget: '${attr.kernel.name}', Operand: '=', RTarget: 'linux' }] });
    const result = computePlan({ snapshot: snapshot(j, nodes), evaluation: evaluation({ Type: 'system' }), options });
    expect(nodesOf(result.plan.placements).sort()).toEqual(['a', 'b']);
    expect(result.plan.placements.every((p) => p.alloc.Name === 'web.app[0]')).toBe(true);
    expect(result.failedTGAllocs).toEqual({});
  });

  it('fills a node that joins and leaves the others alone', () => {
    const j = system();
    const first = computePlan({ snapshot: snapshot(j, [node('a')]), evaluation: evaluation({ Type: 'system' }), options });
    const again = computePlan({ snapshot: snapshot(j, [node('a'), node('b')], committed(first.plan.placements)), evaluation: evaluation({ Type: 'system', TriggeredBy: 'node-update' }), options });
    expect(nodesOf(again.plan.placements)).toEqual(['b']);
    expect(again.plan.stops).toEqual([]);
  });

  it('marks allocations on down nodes lost and records full nodes as failures', () => {
    const j = system();
    const placed = committed(computePlan({ snapshot: snapshot(j, [node('a'), node('b')]), evaluation: evaluation(), options }).plan.placements);
    const down = computePlan({ snapshot: snapshot(j, [node('a'), node('b', { Status: 'down' })], placed), evaluation: evaluation(), options });
    expect(down.plan.stops.map((stop) => [stop.nodeId, stop.clientStatus])).toEqual([['b', 'lost']]);
    const full = node('full');
    full.used = { CpuShares: 1000, MemoryMB: 0, DiskMB: 0 };
    const failed = computePlan({ snapshot: snapshot(j, [full]), evaluation: evaluation(), options });
    expect(failed.failedTGAllocs.app.DimensionExhausted).toEqual({ cpu: 1 });
    expect(failed.queuedAllocations.app).toBe(1);
  });

  it('does not run finished sysbatch work again', () => {
    const j = job({ Type: 'sysbatch', TaskGroups: [group(1)] });
    const done = committed(computePlan({ snapshot: snapshot(j, [node('a')]), evaluation: evaluation(), options }).plan.placements, { ClientStatus: 'complete' }).map((s) => ({ ...s, live: false }));
    const again = computePlan({ snapshot: snapshot(j, [node('a'), node('b')], done), evaluation: evaluation(), options });
    expect(nodesOf(again.plan.placements)).toEqual(['b']);
  });
});
