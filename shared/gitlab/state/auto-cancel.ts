import type { AutoCancelDefinition } from '../ci-config/types';
import type { JobRecord, PipelineRecord } from '../records';
import { cancelTarget } from './job-events';
import { isCompleted } from './statuses';

/**
 * Auto-cancel of redundant pipelines (GitLab's `Ci::PipelineCreation::CancelRedundantPipelinesService`):
 * a new pipeline on a branch makes the older unfinished pipelines of that branch (of other commits)
 * redundant, and their `workflow:auto_cancel:on_new_commit` says what goes: `conservative`, the
 * whole pipeline unless a job that is not `interruptible` has started; `interruptible`, only its
 * interruptible jobs; `none`, nothing.
 */
export function isRedundant(older: PipelineRecord, newer: PipelineRecord): boolean {
  return (
    older.id < newer.id &&
    older.projectId === newer.projectId &&
    older.ref === newer.ref &&
    !older.tag &&
    older.sha !== newer.sha &&
    older.source !== 'parent_pipeline' &&
    !isCompleted(older.status) &&
    older.status !== 'manual'
  );
}

export function jobsToAutoCancel(mode: AutoCancelDefinition['onNewCommit'], jobs: readonly JobRecord[]): JobRecord[] {
  const cancelable = jobs.filter((job) => cancelTarget(job) !== undefined);
  switch (mode) {
    case 'none':
      return [];
    case 'interruptible':
      return cancelable.filter((job) => job.definition.interruptible);
    case 'conservative':
      return jobs.some((job) => job.type === 'build' && job.startedAt !== null && !job.definition.interruptible) ? [] : cancelable;
  }
}
