import type { JobRecord, JobStatus } from '../../gitlab/engine';
import type { BuildRecord, BuildStatus } from '../records';

/**
 * A build's status (pure): the record's own once it is final (a stop makes it ABORTED, a finished
 * build is written back SUCCESS or FAILURE), otherwise what its GitLab job is doing.
 */
export const IN_FLIGHT: readonly BuildStatus[] = ['QUEUED', 'RUNNING'];

export function isInFlight(status: BuildStatus): boolean {
  return IN_FLIGHT.includes(status);
}

export function statusOfJob(status: JobStatus): BuildStatus {
  switch (status) {
    case 'running':
    case 'canceling':
      return 'RUNNING';
    case 'success':
      return 'SUCCESS';
    case 'failed':
    case 'skipped':
      return 'FAILURE';
    // Canceled through GitLab rather than stopped here: the build was aborted all the same.
    case 'canceled':
      return 'ABORTED';
    default:
      return 'QUEUED';
  }
}

export type BuildJob = Pick<JobRecord, 'status' | 'startedAt' | 'finishedAt'>;

export interface BuildState {
  status: BuildStatus;
  startedAt: number | null;
  finishedAt: number | null;
}

export function buildState(record: Pick<BuildRecord, 'status' | 'startedAt' | 'finishedAt'>, job: BuildJob | undefined): BuildState {
  if (!isInFlight(record.status) || !job) return { status: record.status, startedAt: record.startedAt, finishedAt: record.finishedAt };
  const status = statusOfJob(job.status);
  return { status, startedAt: job.startedAt, finishedAt: isInFlight(status) ? null : job.finishedAt };
}
