import type { JobRecord } from '../records';
import type { JobStatus } from './statuses';

/**
 * GitLab's resource groups (`Ci::ResourceGroup`): at most one job of a project's group runs at a
 * time. A job of a group is enqueued as `waiting_for_resource`, and becomes `pending` when the
 * group's resource is free; which waiting job gets it is the group's process mode.
 */
export const PROCESS_MODES = ['unordered', 'oldest_first', 'newest_first'] as const;
export type ProcessMode = (typeof PROCESS_MODES)[number];

export interface WaitingJob {
  jobId: number;
  pipelineId: number;
}

export interface ResourceGroupRecord {
  id: number;
  projectId: number;
  key: string;
  processMode: ProcessMode;
  /** The job holding the resource, if any. */
  holder: WaitingJob | null;
  /** Jobs waiting for the resource, in the order they started waiting. */
  waiting: WaitingJob[];
  /** Bumped by every write: the condition of the next one. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** The resource group a job needs (none when its `resource_group` expanded to nothing). */
export function resourceGroupOf(job: Pick<JobRecord, 'definition'>): string | null {
  const group = job.definition.resourceGroup;
  return group ? group : null;
}

/** Where a job goes when it is enqueued: it waits for its group's resource first. */
export function enqueuedStatus(job: Pick<JobRecord, 'definition'>): JobStatus {
  return resourceGroupOf(job) ? 'waiting_for_resource' : 'pending';
}

/** The waiting job that gets the free resource, by the group's process mode. */
export function nextHolder(mode: ProcessMode, waiting: readonly WaitingJob[]): WaitingJob | undefined {
  if (waiting.length === 0) return undefined;
  const sorted = [...waiting];
  // `unordered`: whichever job asked first (GitLab takes any; the first is as good and fair).
  if (mode === 'oldest_first') sorted.sort((a, b) => a.pipelineId - b.pipelineId || a.jobId - b.jobId);
  if (mode === 'newest_first') sorted.sort((a, b) => b.pipelineId - a.pipelineId || a.jobId - b.jobId);
  return sorted[0];
}
