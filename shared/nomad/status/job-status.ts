import { isParentJob, type Job, type JobStatus } from '../structs/job';

/**
 * Counters kept on the job item by every writer that changes what a job's status depends on,
 * each in the same transaction as the change itself:
 * - LiveAllocs: allocations not yet terminal (placed → +1, stopped or finished → −1);
 * - OpenEvals: evaluations pending or blocked;
 * - ActiveDeployments: deployments not yet successful, failed or cancelled;
 * - HadEval: an evaluation was ever created for this registration.
 */
export interface JobStatusCounters {
  LiveAllocs: number;
  OpenEvals: number;
  ActiveDeployments: number;
  HadEval: boolean;
}

/** System jobs and periodic or parameterized parents are running until stopped, whatever else they have. */
export function statusFollowsStop(job: Pick<Job, 'Type' | 'Periodic' | 'ParameterizedJob' | 'Dispatched'>): boolean {
  return job.Type === 'system' || isParentJob(job);
}

/** Nomad's job status rules (state store `getJobStatus`), over the counters. */
export function deriveJobStatus(
  job: Pick<Job, 'Type' | 'Stop' | 'Periodic' | 'ParameterizedJob' | 'Dispatched'>,
  counters: JobStatusCounters,
): JobStatus {
  return jobStatusOf(statusFollowsStop(job), job.Stop, counters);
}

/** The same rules, given whether the job's status follows its Stop flag alone (statusFollowsStop). */
export function jobStatusOf(followsStop: boolean, stop: boolean, counters: JobStatusCounters): JobStatus {
  if (followsStop) return stop ? 'dead' : 'running';
  if (counters.ActiveDeployments > 0) return 'running';
  if (counters.LiveAllocs > 0) return 'running';
  if (counters.OpenEvals > 0) return 'pending';
  if (counters.HadEval || stop) return 'dead';
  return 'pending';
}
