import { IGNORED_STATUSES, PASSED_WITH_WARNINGS_STATUSES, type JobStatus } from './statuses';

/**
 * The status of a set of jobs (a stage, a pipeline, or the jobs a job waits for), as GitLab's
 * `Gitlab::Ci::Status::Composite` computes it: classify each job, then the first rule that matches
 * the set of classes wins. `undefined` when there are no jobs.
 */
export interface StatusInput {
  status: JobStatus;
  allowFailure: boolean;
}

type StatusClass = JobStatus | 'success_with_warnings' | 'ignored';

export interface CompositeStatus {
  status: JobStatus;
  warnings: boolean;
}

function classify(job: StatusInput): StatusClass {
  if (job.allowFailure && PASSED_WITH_WARNINGS_STATUSES.includes(job.status)) return 'success_with_warnings';
  if (job.allowFailure && IGNORED_STATUSES.includes(job.status)) return 'ignored';
  return job.status;
}

export function compositeStatus(jobs: readonly StatusInput[], options: { dag?: boolean } = {}): CompositeStatus | undefined {
  if (jobs.length === 0) return undefined;
  const set = new Set<StatusClass>(jobs.map(classify));
  const only = (...names: StatusClass[]) => {
    const matching = names.filter((name) => set.has(name)).length;
    return matching > 0 && matching === set.size;
  };
  const any = (...names: StatusClass[]) => names.some((name) => set.has(name));
  const warnings = set.has('success_with_warnings');
  const result = (status: JobStatus): CompositeStatus => ({ status, warnings });

  if (options.dag && any('skipped', 'ignored')) return result('skipped');
  if (options.dag && !only('success', 'failed', 'canceled', 'skipped', 'success_with_warnings')) return result('pending');
  if (only('skipped', 'ignored')) return result('skipped');
  if (only('success', 'skipped', 'success_with_warnings', 'ignored')) return result('success');
  if (only('created', 'success_with_warnings', 'ignored')) return result('created');
  if (only('preparing', 'success_with_warnings', 'ignored')) return result('preparing');
  if (only('canceled', 'success', 'skipped', 'success_with_warnings', 'ignored')) return result('canceled');
  if (only('pending', 'created', 'skipped', 'success_with_warnings', 'ignored')) return result('pending');
  // Newer GitLab shows a pipeline whose jobs are still canceling as canceling.
  if (any('canceling')) return result('canceling');
  if (any('running', 'pending')) return result('running');
  if (any('waiting_for_resource')) return result('waiting_for_resource');
  if (any('manual')) return result('manual');
  if (any('scheduled')) return result('scheduled');
  if (any('preparing')) return result('preparing');
  if (any('created')) return result('running');
  return result('failed');
}
