import { randomUUID } from 'node:crypto';
import { registerJob } from '../shared/nomad/services/register-job';
import { registerNode } from '../shared/nomad/services/register-node';

/**
 * The cluster the storage benchmarks place on, registered through the service layer: raw_exec
 * nodes of 8,000 MHz and 16 GB, and service jobs of one group of 100 MHz / 64 MB tasks.
 */
export async function registerBenchNodes(count: number, namePrefix: string): Promise<void> {
  for (let n = 0; n < count; n++) {
    await registerNode({
      ID: randomUUID(),
      Name: `${namePrefix}-${n}`,
      Datacenter: 'dc1',
      Drivers: { raw_exec: { Detected: true, Healthy: true } },
      NodeResources: { Cpu: { CpuShares: 8_000 }, Memory: { MemoryMB: 16_384 }, Disk: { DiskMB: 1_000_000 } },
    });
  }
}

export async function registerBenchJob(id: string, count: number): Promise<void> {
  await registerJob({
    job: {
      ID: id,
      Datacenters: ['dc1'],
      TaskGroups: [{ Name: 'app', Count: count, Tasks: [{ Name: 'server', Driver: 'raw_exec', Config: { command: 'sleep' }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
    },
    namespace: 'default',
    enforceIndex: false,
    jobModifyIndex: 0,
    evalPriority: 0,
    preserveCounts: false,
  });
}
