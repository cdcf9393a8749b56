import type { JobRecord } from '../records';

/**
 * The extra condition of a job write that replaces its artifact list: the job is as it was read
 * (every job write sets `updatedAt`), so two writers never drop each other's artifacts.
 */
export function unchangedSince(job: JobRecord) {
  return { expression: '#updatedAt = :readUpdatedAt', names: { '#updatedAt': 'updatedAt' }, values: { ':readUpdatedAt': job.updatedAt } };
}
