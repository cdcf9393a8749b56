import type { When } from '../ci-config/types';
import { compositeStatus, type StatusInput } from './composite';
import { COMPLETED_STATUSES, type JobStatus } from './statuses';

/**
 * GitLab's pipeline processing (`Ci::PipelineProcessing::AtomicProcessingService` with
 * `Ci::ProcessBuildService`), pure: given the latest jobs of a pipeline, decide which `created`
 * jobs to enqueue, make manual, schedule or skip. A job that follows stages looks at every job of
 * the earlier stages; a job with `needs` looks only at the jobs it needs. A job moves only once what
 * it looks at is complete. Run until nothing moves, which is what GitLab reaches by processing
 * again after every transition.
 */
export interface ProcessableJob extends StatusInput {
  id: number;
  name: string;
  stageIdx: number;
  when: When;
  /** `null` for stage order; names for DAG jobs. */
  needs: string[] | null;
  /** The job needs a resource group's resource: it is enqueued as `waiting_for_resource`. */
  resourceGroup?: boolean;
}

export interface Transition {
  id: number;
  from: JobStatus;
  to: JobStatus;
}

function validStatusesFor(job: ProcessableJob): JobStatus[] {
  switch (job.when) {
    case 'on_success':
    case 'manual':
    case 'delayed':
      return job.needs !== null ? ['success'] : ['success', 'skipped'];
    case 'on_failure':
      return ['failed'];
    case 'always':
      return ['success', 'failed', 'skipped'];
  }
}

function targetWhenProcessed(job: ProcessableJob): JobStatus {
  if (job.when === 'delayed') return 'scheduled';
  if (job.when === 'manual') return 'manual';
  return job.resourceGroup ? 'waiting_for_resource' : 'pending';
}

export function processPipeline(input: readonly ProcessableJob[]): Transition[] {
  const jobs = input.map((job) => ({ ...job }));
  const byName = new Map(jobs.map((job) => [job.name, job]));
  const stages = [...new Set(jobs.map((job) => job.stageIdx))].sort((a, b) => a - b);
  const transitions = new Map<number, Transition>();

  let moved = true;
  while (moved) {
    moved = false;
    for (const stageIdx of stages) {
      for (const job of jobs) {
        if (job.stageIdx !== stageIdx || job.status !== 'created') continue;
        const watched =
          job.needs !== null
            ? job.needs.flatMap((name) => (byName.has(name) ? [byName.get(name)!] : []))
            : jobs.filter((other) => other.stageIdx < stageIdx);
        const status = compositeStatus(watched, { dag: job.needs !== null })?.status ?? 'success';
        if (!COMPLETED_STATUSES.includes(status)) continue;
        const to = validStatusesFor(job).includes(status) ? targetWhenProcessed(job) : 'skipped';
        const previous = transitions.get(job.id);
        transitions.set(job.id, { id: job.id, from: previous?.from ?? job.status, to });
        job.status = to;
        moved = true;
      }
    }
  }
  return [...transitions.values()];
}

/** The pipeline's status: the composite of its latest jobs. */
export function pipelineStatus(jobs: readonly StatusInput[]): JobStatus {
  return compositeStatus(jobs)?.status ?? 'skipped';
}
