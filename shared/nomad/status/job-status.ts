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

/** Nomad's job status rules (state store `getJobStatus`), over the counters. */
export function deriveJobStatus(
  job: Pick<Job, 'Type' | 'Stop' | 'Periodic' | 'ParameterizedJob' | 'Dispatched'>,
  counters: JobStatusCounters,
): JobStatus {
  if (job.Type === 'system' || isParentJob(job)) return job.Stop ? 'dead' : 'running';
  if (counters.ActiveDeployments > 0) return 'running';
  if (counters.LiveAllocs > 0) return 'running';
  if (counters.OpenEvals > 0) return 'pending';
  if (counters.HadEval || job.Stop) return 'dead';
  return 'pending';
}
