import type { JobRecord, RunnerRecord } from '../records';

/**
 * Whether a runner may take a pending build: not paused, allowed for the job's project, only
 * protected refs for `ref_protected` runners, every tag of the job among the runner's tags, and
 * untagged jobs only for runners that run untagged jobs.
 */
export function runnerCanPick(runner: RunnerRecord, job: Pick<JobRecord, 'projectId' | 'definition' | 'type' | 'protectedRef'>): boolean {
  if (runner.paused || job.type !== 'build') return false;
  if (runner.accessLevel === 'ref_protected' && !job.protectedRef) return false;
  if (runner.runnerType === 'project_type' && !runner.projectIds.includes(job.projectId)) return false;
  const tags = job.definition.tags;
  if (tags.length === 0) return runner.runUntagged;
  const own = new Set(runner.tagList);
  return tags.every((tag) => own.has(tag));
}
