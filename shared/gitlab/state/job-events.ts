import type { JobRecord } from '../records';
import { CANCELABLE_STATUSES, COMPLETED_STATUSES, type JobStatus } from './statuses';

/**
 * What each action may do to a job, as GitLab's state machine (`Ci::Build`, `CommitStatus`) and
 * the Jobs API allow it. Pure predicates; services apply the transitions with conditional writes.
 */
type JobState = Pick<JobRecord, 'status' | 'retried' | 'type' | 'definition' | 'runnerCancelsGracefully' | 'artifacts' | 'erasedAt'>;

/** Where `cancel` takes a job, or `undefined` if it does not apply (the job comes back unchanged). */
export function cancelTarget(job: JobState): JobStatus | undefined {
  if (job.status === 'running' && job.runnerCancelsGracefully) return 'canceling';
  return CANCELABLE_STATUSES.includes(job.status) ? 'canceled' : undefined;
}

export function forceCancelTarget(job: JobState): JobStatus | undefined {
  return job.status === 'canceling' ? 'canceled' : cancelTarget(job);
}

export function isRetryable(job: JobState): boolean {
  return !job.retried && (['success', 'failed', 'canceled', 'canceling'] as JobStatus[]).includes(job.status);
}

/** `Ci::Processable#action?`: a manual or delayed job. */
export function isAction(job: JobState): boolean {
  return job.definition.when === 'manual' || job.definition.when === 'delayed';
}

export function isPlayable(job: JobState): boolean {
  if (!isAction(job)) return false;
  return job.status === 'manual' || job.status === 'scheduled' || (COMPLETED_STATUSES.includes(job.status) && isRetryable(job));
}

/** Erase needs a finished build with something to erase (artifacts or a log). */
export function isErasable(job: JobState, traceSize: number): boolean {
  return (
    job.type === 'build' &&
    (['success', 'failed', 'canceled'] as JobStatus[]).includes(job.status) &&
    (job.artifacts.length > 0 || traceSize > 0)
  );
}

/** The status a runner's final `state` gives a running (or canceling) job. */
export function runnerStateTarget(current: JobStatus, state: 'success' | 'failed'): JobStatus | undefined {
  if (current === 'canceling') return 'canceled';
  if (current !== 'running') return undefined;
  return state;
}

/** Effective `allow_failure`: manual jobs may fail unless told otherwise. */
export function effectiveAllowFailure(definition: JobRecord['definition'], exitCode?: number | null): boolean {
  if (exitCode !== undefined && exitCode !== null && definition.allowFailureExitCodes.includes(exitCode)) return true;
  if (definition.allowFailure !== null) return definition.allowFailure;
  return definition.when === 'manual';
}
