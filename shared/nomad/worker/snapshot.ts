import { readJobAllocs } from '../store/allocs';
import { readJob, readJobVersion, type JobRecord } from '../store/jobs';
import { listNodes } from '../store/nodes';
import type { Job } from '../structs/job';
import type { Snapshot } from '../scheduler/types';

/** Reads what the scheduler needs for one job: the job and its allocations consistently, and the nodes. */
export async function loadSnapshot(namespace: string, jobId: string): Promise<{ snapshot: Snapshot; record?: JobRecord }> {
  const [record, allocs, nodes] = await Promise.all([readJob(namespace, jobId), readJobAllocs(namespace, jobId), listNodes()]);
  const job = record?.job;
  const versions: Record<number, Job> = {};
  if (job) {
    versions[job.Version] = job;
    const running = new Set(
      allocs.filter((stored) => stored.live && stored.jobCreateIndex === job.CreateIndex).map((stored) => stored.jobVersion),
    );
    await Promise.all(
      [...running]
        .filter((version) => !(version in versions))
        .map(async (version) => {
          const old = await readJobVersion(namespace, jobId, version);
          if (old) versions[version] = old;
        }),
    );
  }
  return { snapshot: { job, allocs, nodes, versions, now: Date.now() }, record };
}
