import { transact, TransactionConflict } from '../../storage/transact';
import type { JobRecord } from '../records';
import { nextHolder, resourceGroupOf, type ProcessMode, type ResourceGroupRecord, type WaitingJob } from '../state/resource-groups';
import { isCompleted } from '../state/statuses';
import { transitionFields } from '../state/transition-fields';
import { nextId } from '../store/counters';
import { getJobs, updateJob } from '../store/jobs';
import { touchPipeline } from '../store/pipelines';
import { getResourceGroup, listResourceGroups, putResourceGroup } from '../store/resource-groups';

/**
 * Hands out the resource of a project's resource groups (GitLab's
 * `AssignResourceFromResourceGroupService`): jobs waiting for it are recorded on the group, the
 * holder is released once its job is done, and the next waiting job (by the group's process mode)
 * becomes `pending` in the same transaction that names it holder. Every write is conditional on
 * the group's version, so two processes settling one group never hand the resource out twice.
 */
const MAX_ATTEMPTS = 10;

function newGroup(id: number, projectId: number, key: string, now: number): ResourceGroupRecord {
  return { id, projectId, key, processMode: 'unordered', holder: null, waiting: [], version: 0, createdAt: now, updatedAt: now };
}

/** Holds the resource while it has not finished (a retried holder's job is still its job until done). */
function stillHolds(job: JobRecord | undefined): boolean {
  return job !== undefined && !isCompleted(job.status) && job.status !== 'manual' && job.status !== 'created';
}

function sameState(a: ResourceGroupRecord, b: ResourceGroupRecord): boolean {
  return JSON.stringify([a.holder, a.waiting, a.processMode]) === JSON.stringify([b.holder, b.waiting, b.processMode]);
}

/** Settles one group; answers the job it made pending, if any. */
async function settleGroup(projectId: number, key: string, waitingNow: readonly JobRecord[]): Promise<JobRecord | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = Date.now();
    const before = await getResourceGroup(projectId, key);
    const group = before ?? newGroup(await nextId('resource_group'), projectId, key, now);
    const candidates: WaitingJob[] = [...group.waiting];
    for (const job of waitingNow) {
      if (!candidates.some((entry) => entry.jobId === job.id)) candidates.push({ jobId: job.id, pipelineId: job.pipelineId });
    }
    const jobs = await getJobs([...candidates.map((entry) => entry.jobId), ...(group.holder ? [group.holder.jobId] : [])]);
    const waiting = candidates.filter((entry) => jobs.get(entry.jobId)?.status === 'waiting_for_resource');
    let holder = group.holder && stillHolds(jobs.get(group.holder.jobId)) ? group.holder : null;
    let assigned: JobRecord | undefined;
    if (!holder) {
      const next = nextHolder(group.processMode, waiting);
      if (next) {
        holder = next;
        assigned = jobs.get(next.jobId);
      }
    }
    const after: ResourceGroupRecord = { ...group, holder, waiting: waiting.filter((entry) => entry.jobId !== holder?.jobId), updatedAt: now };
    if (before && sameState(before, after)) return undefined;
    const items = [putResourceGroup(before, after)];
    const pending = assigned ? { ...assigned, ...transitionFields(assigned, 'pending', now) } : undefined;
    if (assigned && pending) items.push(updateJob(assigned, { status: 'pending', queuedAt: pending.queuedAt, updatedAt: now }, ['waiting_for_resource']), touchPipeline(assigned.pipelineId, now));
    try {
      await transact(items);
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    }
    return pending;
  }
  throw new Error(`resource group ${projectId}/${key}: settling kept conflicting`);
}

/**
 * Settles the groups the jobs of one pipeline use: records its waiting jobs, releases what its
 * finished jobs held, and answers the jobs (of any pipeline) that got a resource.
 */
export async function settleResourceGroups(jobs: readonly JobRecord[]): Promise<JobRecord[]> {
  const byGroup = new Map<string, JobRecord[]>();
  for (const job of jobs) {
    const group = resourceGroupOf(job);
    if (!group || job.status === 'created' || job.status === 'skipped' || job.status === 'manual' || job.status === 'scheduled') continue;
    const list = byGroup.get(group) ?? [];
    if (job.status === 'waiting_for_resource') list.push(job);
    byGroup.set(group, list);
  }
  const assigned: JobRecord[] = [];
  for (const [key, waiting] of byGroup) {
    const job = await settleGroup(jobs[0].projectId, key, waiting);
    if (job) assigned.push(job);
  }
  return assigned;
}

export { listResourceGroups, getResourceGroup };

/** `PUT /projects/:id/resource_groups/:key` (`process_mode`); a group exists once a job used it. */
export async function changeProcessMode(projectId: number, key: string, mode: ProcessMode): Promise<ResourceGroupRecord | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const before = await getResourceGroup(projectId, key);
    if (!before) return undefined;
    const after = { ...before, processMode: mode, updatedAt: Date.now() };
    try {
      await transact([putResourceGroup(before, after)]);
      return { ...after, version: before.version + 1 };
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    }
  }
  throw new Error(`resource group ${projectId}/${key}: update kept conflicting`);
}
