/**
 * GitLab's job (and pipeline) statuses and the groups its code names (`Ci::HasStatus`).
 */
export const JOB_STATUSES = [
  'created',
  'waiting_for_resource',
  'preparing',
  'waiting_for_callback',
  'pending',
  'running',
  'success',
  'failed',
  'canceling',
  'canceled',
  'skipped',
  'manual',
  'scheduled',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

export const COMPLETED_STATUSES: readonly JobStatus[] = ['success', 'failed', 'canceled', 'skipped'];
/** Statuses `cancel` moves to canceled (or running to canceling); `manual` too, as GitLab's cancel event allows. */
export const CANCELABLE_STATUSES: readonly JobStatus[] = [
  'created',
  'waiting_for_resource',
  'preparing',
  'waiting_for_callback',
  'pending',
  'running',
  'scheduled',
  'manual',
];
/** Failed or canceled jobs that may fail count as "success with warnings". */
export const PASSED_WITH_WARNINGS_STATUSES: readonly JobStatus[] = ['failed', 'canceled'];
/** Manual jobs that may fail are ignored. */
export const IGNORED_STATUSES: readonly JobStatus[] = ['manual'];

export function isCompleted(status: JobStatus): boolean {
  return COMPLETED_STATUSES.includes(status);
}
