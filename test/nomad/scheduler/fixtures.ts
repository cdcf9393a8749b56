import { canonicalizeJob } from '../../../shared/nomad/jobspec/canonicalize';
import { computedClass } from '../../../shared/nomad/scheduler/computed-class';
import type { Snapshot } from '../../../shared/nomad/scheduler/types';
import type { StoredAlloc } from '../../../shared/nomad/store/allocs';
import type { StoredNode } from '../../../shared/nomad/store/nodes';
import type { Evaluation } from '../../../shared/nomad/structs/evaluation';
import type { Job } from '../../../shared/nomad/structs/job';
import type { Node } from '../../../shared/nomad/structs/node';

/** Tiny clusters and jobs for scheduler tests on plain data. */
export function node(id: string, extra: Partial<Node> = {}, cpu = 1000, memoryMB = 1024): StoredNode {
  const built = {
    ID: id,
    Name: id,
    Datacenter: 'dc1',
    NodePool: 'default',
    Status: 'ready',
    SchedulingEligibility: 'eligible',
    DrainStrategy: null,
    Drivers: { raw_exec: { Detected: true, Healthy: true, HealthDescription: '', Attributes: null, UpdateTime: '' } },
    Attributes: { 'kernel.name': 'linux', 'unique.hostname': id },
    Meta: {},
    NodeClass: '',
    NodeResources: { Cpu: { CpuShares: cpu }, Memory: { MemoryMB: memoryMB }, Disk: { DiskMB: 100_000 }, Networks: null, MinDynamicPort: 20000, MaxDynamicPort: 32000 },
    ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 }, Disk: { DiskMB: 0 }, Networks: { ReservedHostPorts: '' } },
    ...extra,
  } as Node;
  built.ComputedClass = computedClass(built);
  return { node: built, used: { CpuShares: 0, MemoryMB: 0, DiskMB: 0 } };
}

export function job(spec: Record<string, unknown>, version = 0, modifyIndex = 1): Job {
  const canonical = canonicalizeJob({ ID: 'web', Datacenters: ['dc1'], ...spec });
  return { ...canonical, Version: version, CreateIndex: 1, JobModifyIndex: modifyIndex, ModifyIndex: modifyIndex };
}

export function group(count: number, extra: Record<string, unknown> = {}, cpu = 100) {
  return { Name: 'app', Count: count, Tasks: [{ Name: 't', Driver: 'raw_exec', Resources: { CPU: cpu, MemoryMB: 64 } }], ...extra };
}

export function evaluation(extra: Partial<Evaluation> = {}): Evaluation {
  return { ID: 'eval-1', Namespace: 'default', JobID: 'web', Status: 'pending', Priority: 50, Type: 'service', TriggeredBy: 'job-register', CreateIndex: 1, ModifyIndex: 1, CreateTime: 0, ModifyTime: 0, ...extra };
}

let ids = 0;
export const options = { newId: () => `id-${++ids}`, random: () => 0.5 };

export function snapshot(j: Job | undefined, nodes: StoredNode[], allocs: StoredAlloc[] = [], extra: Partial<Snapshot> = {}): Snapshot {
  return { job: j, allocs, nodes, versions: j ? { [j.Version]: j } : {}, now: 1_700_000_000_000, ...extra };
}

/** Allocations as the store would hold them once a plan committed. */
export function committed(placements: StoredAlloc[], changes: Partial<StoredAlloc['alloc']> = {}): StoredAlloc[] {
  return placements.map((stored) => ({ ...stored, alloc: { ...stored.alloc, ...changes } }));
}
