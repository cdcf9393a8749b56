import type { JobRecord } from '../records';
import type { JobStatus } from './statuses';

/**
 * The timestamps a transition sets, as GitLab's state machine does: entering `pending` sets
 * `queued_at`, `running` sets `started_at`, a finished status sets `finished_at`, `scheduled`
 * sets when the delayed job is due.
 */
export function transitionFields(job: Pick<JobRecord, 'definition'>, to: JobStatus, now: number): Partial<JobRecord> {
  const fields: Partial<JobRecord> = { status: to, updatedAt: now };
  if (to === 'pending') fields.queuedAt = now;
  if (to === 'running') fields.startedAt = now;
  if (to === 'success' || to === 'failed' || to === 'canceled') fields.finishedAt = now;
  if (to === 'scheduled') fields.scheduledAt = now + (job.definition.startIn ?? 0) * 1000;
  return fields;
}

/** What a job that has not run yet holds, as created now: a new job, or a retry's clone. */
export function notYetRun(now: number) {
  return {
    status: 'created',
    createdAt: now,
    updatedAt: now,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    scheduledAt: null,
    erasedAt: null,
    erasedBy: null,
    failureReason: null,
    exitCode: null,
    coverage: null,
    runnerId: null,
    runnerCancelsGracefully: false,
    retried: false,
    artifacts: [],
    artifactsExpireAt: null,
    artifactsLocked: false,
    downstreamPipelineId: null,
  } satisfies Partial<JobRecord>;
}

/**
 * Jobs to put back to `created` when `retried` is retried (GitLab's ResetSkippedJobsService):
 * skipped jobs of later stages and skipped jobs that need it, directly or through other jobs.
 */
export function jobsToReset(latest: readonly JobRecord[], retried: Pick<JobRecord, 'name' | 'stageIdx'>): JobRecord[] {
  const reset = new Map<number, JobRecord>();
  const names = new Set([retried.name]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const job of latest) {
      if (job.status !== 'skipped' || reset.has(job.id)) continue;
      const needs = job.definition.needs;
      const follows = needs === null ? job.stageIdx > retried.stageIdx : needs.some((need) => names.has(need.job));
      if (follows) {
        reset.set(job.id, job);
        names.add(job.name);
        grew = true;
      }
    }
  }
  return [...reset.values()];
}
