import { readJobAllocsAndDeployments } from '../store/allocs';
import { deploymentFromItem } from '../store/deployments';
import { readJob, readJobVersions, type JobRecord } from '../store/jobs';
import type { Job } from '../structs/job';
import type { Snapshot } from '../scheduler/types';
import { clusterNodes } from './node-cache';

/**
 * Reads what the scheduler needs for one job: the job, its allocations and its latest
 * deployment consistently (one partition), the versions its allocations run, and the nodes.
 */
export interface LoadedSnapshot {
  snapshot: Snapshot;
  record?: JobRecord;
  /** The nodes were read from the store for this snapshot, not from the warm cache. */
  freshNodes: boolean;
}

export async function loadSnapshot(namespace: string, jobId: string, options: { freshNodes?: boolean; nodeId?: string } = {}): Promise<LoadedSnapshot> {
  const [record, partition, nodes] = await Promise.all([
    readJob(namespace, jobId),
    readJobAllocsAndDeployments(namespace, jobId),
    clusterNodes({ fresh: options.freshNodes, nodeId: options.nodeId }),
  ]);
  const { allocs } = partition;
  const deployment = partition.deploymentItems.map(deploymentFromItem).sort((a, b) => b.CreateIndex - a.CreateIndex)[0];
  const job = record?.job;
  const versions: Record<number, Job> = {};
  if (job) {
    versions[job.Version] = job;
    const running = new Set(allocs.filter((stored) => stored.jobCreateIndex === job.CreateIndex && (stored.live || stored.alloc.DesiredStatus === 'run')).map((stored) => stored.jobVersion));
    running.delete(job.Version);
    if (running.size > 0) {
      const refs = [...running].map((version) => ({ namespace, jobId, version }));
      const read = await readJobVersions(refs);
      for (const ref of refs) {
        const old = read(ref);
        if (old) versions[ref.version] = old;
      }
    }
  }
  return { snapshot: { job, allocs, nodes: nodes.nodes, versions, deployment, now: Date.now() }, record, freshNodes: nodes.fresh };
}

/** The same snapshot over the nodes read from the store rather than the warm cache (the job and its allocations are not read again). */
export async function withFreshNodes(loaded: LoadedSnapshot): Promise<LoadedSnapshot> {
  const nodes = await clusterNodes({ fresh: true });
  return { ...loaded, snapshot: { ...loaded.snapshot, nodes: nodes.nodes, now: Date.now() }, freshNodes: true };
}
