import type { TransactItem } from '../../storage/transact';
import { badRequest, notFound } from '../errors';
import { moveNextLaunch } from '../store/periodic-launches';
import { readJob } from '../store/jobs';
import type { Job } from '../structs/job';
import { periodicNextLaunch, registerJob, type RegisterResult } from './register-job';

/**
 * Launching a periodic job's child (Nomad's periodic dispatcher): a copy of the parent named
 * `<parent>/periodic-<launch unix seconds>`, without the periodic block, registered with a
 * `periodic-job` evaluation. The name is fixed by the launch time, so launching the same time
 * twice fails instead of running twice.
 */
export function periodicChildId(parentId: string, launch: Date): string {
  return `${parentId}/periodic-${Math.floor(launch.getTime() / 1000)}`;
}

/** The child job for a launch. Pure. */
export function deriveChild(parent: Job, launch: Date): Job {
  const id = periodicChildId(parent.ID, launch);
  return { ...structuredClone(parent), ID: id, Name: id, ParentID: parent.ID, Periodic: null, Status: 'pending', StatusDescription: '', VersionTag: null };
}

/** Moves the parent to its next launch, only if no one else launched this one first. */
export function advanceParent(parent: Job, due: number, launch: Date): TransactItem {
  const next = periodicNextLaunch(parent, launch.getTime());
  return moveNextLaunch(parent.Namespace, parent.ID, due, next);
}

export async function launchChild(parent: Job, launch: Date, due?: number): Promise<RegisterResult> {
  return registerJob({
    job: deriveChild(parent, launch),
    namespace: parent.Namespace,
    enforceIndex: false,
    jobModifyIndex: 0,
    evalPriority: 0,
    preserveCounts: false,
    mustBeNew: true,
    triggeredBy: 'periodic-job',
    now: launch.getTime(),
    extraItems: due === undefined ? undefined : () => [advanceParent(parent, due, launch)],
  });
}

/** `POST /v1/job/:id/periodic/force`: a child now, overlap or not. */
export async function forcePeriodicLaunch(namespace: string, jobId: string): Promise<RegisterResult> {
  const record = await readJob(namespace, jobId);
  if (!record) throw notFound('job not found');
  if (!record.job.Periodic) throw badRequest("can't force launch non-periodic job");
  return launchChild(record.job, new Date());
}
