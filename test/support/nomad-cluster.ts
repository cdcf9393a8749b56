import { readJobAllocs, type StoredAlloc } from '../../shared/nomad/store/allocs';
import { listNodes } from '../../shared/nomad/store/nodes';
import { nodeCapacity } from '../../shared/nomad/structs/node';
import { api } from './nomad';

/** Helpers for end-to-end scheduler tests: play the client agent and audit the store. */
export async function liveAllocs(jobId: string, namespace = 'default'): Promise<StoredAlloc[]> {
  return (await readJobAllocs(namespace, jobId)).filter((stored) => stored.live);
}

/** What an agent reports: a client status and, optionally, deployment health (`headers`: its token, with ACLs on). */
export async function report(allocs: StoredAlloc[], status: string, healthy?: boolean, headers: Record<string, string> = {}) {
  const byNode = new Map<string, StoredAlloc[]>();
  for (const stored of allocs) byNode.set(stored.alloc.NodeID, [...(byNode.get(stored.alloc.NodeID) ?? []), stored]);
  for (const [nodeId, list] of byNode) {
    const response = await api('PUT', `/v1/node/${nodeId}/allocations`, {
      Allocs: list.map((stored) => ({
        ID: stored.alloc.ID,
        ClientStatus: status,
        DeploymentStatus: healthy === undefined ? undefined : { Healthy: healthy, Timestamp: new Date().toISOString() },
      })),
    }, headers);
    if (response.status !== 200) throw new Error(`report failed: ${response.status} ${response.text}`);
  }
}

/** Every node's claimed capacity equals what its live allocations claim, and fits. */
export async function auditCapacity(): Promise<void> {
  const claimed = new Map<string, number>();
  const nodes = await listNodes();
  for (const entry of nodes) {
    const capacity = nodeCapacity(entry.node);
    if (entry.used.CpuShares > capacity.CpuShares || entry.used.MemoryMB > capacity.MemoryMB) {
      throw new Error(`node ${entry.node.ID} is overcommitted: ${JSON.stringify(entry.used)}`);
    }
  }
  const jobs = (await api('GET', '/v1/jobs')).body as { ID: string }[];
  for (const { ID } of jobs) {
    for (const stored of await liveAllocs(ID)) claimed.set(stored.alloc.NodeID, (claimed.get(stored.alloc.NodeID) ?? 0) + stored.claim.CpuShares);
  }
  for (const entry of nodes) {
    if ((claimed.get(entry.node.ID) ?? 0) !== entry.used.CpuShares) {
      throw new Error(`node ${entry.node.ID} claims ${entry.used.CpuShares} MHz but its live allocations hold ${claimed.get(entry.node.ID) ?? 0}`);
    }
  }
}
