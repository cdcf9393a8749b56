/**
 * The pure scheduler on one core, in C1M's shape scaled to this machine: 1,000 service jobs of
 * 100 allocations each placed on 5,000 nodes, one evaluation after another, each seeing the
 * capacity the previous ones claimed. Figure: placements per second (goal ≥ 25,000), as a ratio
 * to an exhaustive best-fit scheduler (every feasible node scored for every placement) measured
 * on the same cluster in the same run. For scale: Nomad's C1M placed 3,750/s on five servers.
 *
 *   npm run bench -- scheduler
 */
import { canonicalizeJob } from '../shared/nomad/jobspec/canonicalize';
import { groupClaim } from '../shared/nomad/scheduler/alloc-factory';
import { computedClass } from '../shared/nomad/scheduler/computed-class';
import { baseNodes, Feasibility } from '../shared/nomad/scheduler/feasible';
import { computePlan } from '../shared/nomad/scheduler/generic-sched';
import { addClaim, exhaustedDimension, fitScore } from '../shared/nomad/scheduler/rank';
import type { StoredNode } from '../shared/nomad/store/nodes';
import type { Evaluation } from '../shared/nomad/structs/evaluation';
import type { Job } from '../shared/nomad/structs/job';
import type { Node } from '../shared/nomad/structs/node';

const NODES = Number(process.env.BENCH_NODES ?? 5_000);
const JOBS = Number(process.env.BENCH_JOBS ?? 1_000);
const COUNT = Number(process.env.BENCH_COUNT ?? 100);
const GOAL = 25_000;
const C1M_RATE = 3_750;

function cluster(): StoredNode[] {
  return Array.from({ length: NODES }, (_, i) => {
    const node = {
      ID: `node-${i}`,
      Name: `node-${i}`,
      Datacenter: `dc${i % 3}`,
      NodePool: 'default',
      NodeClass: `class-${i % 4}`,
      Status: 'ready',
      SchedulingEligibility: 'eligible',
      DrainStrategy: null,
      Attributes: { 'kernel.name': 'linux', 'unique.hostname': `host-${i}` },
      Meta: { rack: `r${i % 20}` },
      Drivers: { docker: { Detected: true, Healthy: true, HealthDescription: '', Attributes: null, UpdateTime: '' } },
      NodeResources: { Cpu: { CpuShares: 8_000 }, Memory: { MemoryMB: 16_384 }, Disk: { DiskMB: 100_000 }, Networks: null, MinDynamicPort: 20000, MaxDynamicPort: 32000 },
      ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 }, Disk: { DiskMB: 0 }, Networks: { ReservedHostPorts: '' } },
    } as unknown as Node;
    node.ComputedClass = computedClass(node);
    return { node, used: { CpuShares: 0, MemoryMB: 0, DiskMB: 0 } };
  });
}

function job(i: number): Job {
  const canonical = canonicalizeJob({
    ID: `job-${i}`,
    Datacenters: ['dc*'],
    Constraints: [{ LTarget: '${attr.kernel.name}', Operand: '=', RTarget: 'linux' }],
    TaskGroups: [{ Name: 'app', Count: COUNT, Tasks: [{ Name: 'server', Driver: 'docker', Resources: { CPU: 100, MemoryMB: 128 } }] }],
  });
  return { ...canonical, Version: 0, CreateIndex: i + 1, JobModifyIndex: i + 1, ModifyIndex: i + 1 };
}

function evaluation(j: Job): Evaluation {
  return { ID: `eval-${j.ID}`, Namespace: 'default', JobID: j.ID, Type: 'service', TriggeredBy: 'job-register', Status: 'pending', Priority: 50, CreateIndex: 1, ModifyIndex: 1, CreateTime: 0, ModifyTime: 0 };
}

let ids = 0;
const newId = () => `id-${++ids}`;

/** Schedules the jobs one evaluation at a time, committing each plan's claims to the cluster. */
function schedule(nodes: StoredNode[], jobs: Job[]): { placements: number; ms: number } {
  const byId = new Map(nodes.map((entry) => [entry.node.ID, entry]));
  let placements = 0;
  const started = performance.now();
  for (const j of jobs) {
    const result = computePlan({ snapshot: { job: j, allocs: [], nodes, versions: { 0: j }, now: Date.now() }, evaluation: evaluation(j), options: { newId } });
    for (const stored of result.plan.placements) {
      const entry = byId.get(stored.alloc.NodeID)!;
      entry.used = addClaim(entry.used, stored.claim);
    }
    placements += result.plan.placements.length;
  }
  return { placements, ms: performance.now() - started };
}

/** The baseline: every feasible node scored for every placement, the best one taken. */
function exhaustive(nodes: StoredNode[], jobs: Job[]): { placements: number; ms: number } {
  let placements = 0;
  const started = performance.now();
  for (const j of jobs) {
    const group = j.TaskGroups[0];
    const claim = groupClaim(group);
    const feasibility = new Feasibility(j);
    const base = baseNodes(j, nodes);
    for (let k = 0; k < group.Count; k++) {
      let best: StoredNode | undefined;
      let bestScore = -Infinity;
      for (const entry of base.nodes) {
        if (feasibility.reason(group, entry.node) || exhaustedDimension(entry.node, entry.used, claim)) continue;
        const score = fitScore(entry.node, entry.used, claim);
        if (score > bestScore) [best, bestScore] = [entry, score];
      }
      if (!best) break;
      best.used = addClaim(best.used, claim);
      placements++;
    }
  }
  return { placements, ms: performance.now() - started };
}

// Warm the JIT on a separate cluster, then measure.
schedule(cluster(), Array.from({ length: 20 }, (_, i) => job(10_000 + i)));
const jobs = Array.from({ length: JOBS }, (_, i) => job(i));
const measured = schedule(cluster(), jobs);
const rate = (measured.placements / measured.ms) * 1000;
const baselineJobs = jobs.slice(0, Math.max(1, Math.round(JOBS / 50)));
const baseline = exhaustive(cluster(), baselineJobs);
const baselineRate = (baseline.placements / baseline.ms) * 1000;

console.log(`cluster: ${NODES} nodes, ${JOBS} jobs × ${COUNT} allocations, one core`);
console.log(`placed ${measured.placements} allocations in ${(measured.ms / 1000).toFixed(2)} s`);
console.log(`placements per second: ${Math.round(rate)}   (goal ≥ ${GOAL}: ${rate >= GOAL ? 'met' : 'NOT met'})`);
console.log(`baseline, exhaustive best-fit over all ${NODES} nodes (${baseline.placements} placements): ${Math.round(baselineRate)}/s`);
console.log(`ratio to the baseline: ${(rate / baselineRate).toFixed(1)}×   (Nomad C1M for scale: ${(rate / C1M_RATE).toFixed(1)}× its ${C1M_RATE}/s)`);
console.log(`peak heap: ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`);
