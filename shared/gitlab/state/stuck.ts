import type { JobRecord } from '../records';

/**
 * When GitLab gives up on a build (`Ci::StuckBuilds`): one that waited in the queue for a day, or
 * one still running an hour after its timeout ran out with no final word from its runner. Both
 * fail with `stuck_or_timeout_failure`.
 */
const PENDING_STUCK_MS = 24 * 60 * 60 * 1000;
const RUNNING_GRACE_MS = 60 * 60 * 1000;
const DEFAULT_TIMEOUT_SECONDS = 3600;

export function stuckAfter(job: Pick<JobRecord, 'startedAt' | 'definition'>): number {
  return (job.startedAt ?? 0) + (job.definition.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000 + RUNNING_GRACE_MS;
}

export function isStuckPending(job: Pick<JobRecord, 'status' | 'queuedAt'>, now: number): boolean {
  return job.status === 'pending' && job.queuedAt !== null && now - job.queuedAt > PENDING_STUCK_MS;
}
