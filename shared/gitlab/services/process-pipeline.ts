import { MAX_TRANSACT_ITEMS, transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import type { JobRecord, PipelineRecord } from '../records';
import { runningUnion } from '../state/durations';
import { pipelineStatus, processPipeline, type ProcessableJob } from '../state/process-pipeline';
import { isCompleted, type JobStatus } from '../state/statuses';
import { transitionFields } from '../state/transition-fields';
import { updateJob } from '../store/jobs';
import { readPipelineWithJobs, touchPipeline, updateProcessedPipeline } from '../store/pipelines';
import { cancelTarget } from '../state/job-events';
import { resourceGroupOf } from '../state/resource-groups';

/**
 * Runs GitLab's processing on a pipeline as it is stored now and writes what it decides: each job
 * transition is a compare-and-set on the job's status, and the pipeline's new status is written
 * only if no job changed since the read (its `jobsVersion`). On a conflict it reads again and
 * starts over, so concurrent runners finishing jobs never lose or double a transition.
 */
function processable(job: JobRecord): ProcessableJob {
  return {
    id: job.id,
    name: job.name,
    stageIdx: job.stageIdx,
    when: job.definition.when,
    needs: job.definition.needs === null ? null : job.definition.needs.map((need) => need.job),
    resourceGroup: resourceGroupOf(job) !== null,
    status: job.status,
    allowFailure: job.allowFailure,
  };
}

/** The pipeline fields its new status implies (timestamps, duration). */
export function pipelineChanges(pipeline: PipelineRecord, latest: readonly JobRecord[], status: JobStatus, now: number): Partial<PipelineRecord> {
  if (status === pipeline.status) return {};
  const changes: Partial<PipelineRecord> = { status, updatedAt: now };
  if (status === 'running' && pipeline.startedAt === null) changes.startedAt = now;
  if (isCompleted(status)) {
    changes.finishedAt = now;
    changes.duration = runningUnion(latest.filter((job) => job.type === 'build'), now);
  } else if (pipeline.finishedAt !== null) {
    changes.finishedAt = null;
    changes.duration = null;
  }
  return changes;
}

/** Applies the processor's transitions to the jobs in memory; returns the changed jobs. */
export function applyTransitions(latest: JobRecord[], now: number): { jobs: JobRecord[]; changed: { before: JobRecord; after: JobRecord }[] } {
  const transitions = processPipeline(latest.map(processable));
  const byId = new Map(transitions.map((transition) => [transition.id, transition]));
  const changed: { before: JobRecord; after: JobRecord }[] = [];
  const jobs = latest.map((job) => {
    const transition = byId.get(job.id);
    if (!transition) return job;
    const after = { ...job, ...transitionFields(job, transition.to, now) };
    changed.push({ before: job, after });
    return after;
  });
  return { jobs, changed };
}

export function latestJobs(jobs: readonly JobRecord[]): JobRecord[] {
  return jobs.filter((job) => !job.retried);
}

/**
 * `workflow:auto_cancel:on_job_failure: all`: once a job fails (and may not), the pipeline's other
 * unfinished jobs are canceled. Answers whether it canceled any.
 */
export async function cancelOnJobFailure(read: PipelineRead): Promise<boolean> {
  if (read.pipeline.autoCancel?.onJobFailure !== 'all') return false;
  const latest = latestJobs(read.jobs);
  if (!latest.some((job) => job.status === 'failed' && !job.allowFailure)) return false;
  const now = Date.now();
  const writes = latest.flatMap((job) => {
    // As GitLab's `cancel_running`: manual jobs stay.
    const target = job.status === 'manual' ? undefined : cancelTarget(job);
    return target ? [updateJob(job, transitionFields(job, target, now), [job.status])] : [];
  });
  if (writes.length === 0) return false;
  for (let i = 0; i < writes.length; i += MAX_TRANSACT_ITEMS - 1) {
    try {
      await transact([...writes.slice(i, i + MAX_TRANSACT_ITEMS - 1), touchPipeline(read.pipeline.id, now)]);
    } catch (error) {
      // A job that moved meanwhile is left to the next processing.
      if (!(error instanceof TransactionConflict)) throw error;
    }
  }
  return true;
}

/** A stored pipeline and its jobs (retried ones included). */
export interface PipelineRead {
  pipeline: PipelineRecord;
  jobs: JobRecord[];
}

/**
 * What one processing wrote, for the engine to follow up (pipeline-engine.ts): the jobs it moved
 * and the pipeline's status before.
 */
export interface Processed extends PipelineRead {
  moved?: { changed: JobRecord[]; previousStatus: string };
}

/**
 * Processes the pipeline once, as it is stored now; answers it and all its jobs as processing
 * left them. What follows the transitions is the caller's (pipeline-engine.ts).
 */
export async function processStoredPipeline(pipelineId: number): Promise<Processed | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const read = await readPipelineWithJobs(pipelineId);
    if (!read) return undefined;
    const { pipeline, unprocessed } = read;
    const now = Date.now();
    const { jobs: latest, changed } = applyTransitions(latestJobs(read.jobs), now);
    const status = pipelineStatus(latest);
    const changes = pipelineChanges(pipeline, latest, status, now);
    if (changed.length === 0 && Object.keys(changes).length === 0 && !unprocessed) return { pipeline, jobs: read.jobs };

    const jobWrites: TransactItem[] = changed.map(({ before, after }) =>
      updateJob(before, { status: after.status, updatedAt: now, queuedAt: after.queuedAt, scheduledAt: after.scheduledAt, finishedAt: after.finishedAt }, [before.status]),
    );
    try {
      // Very wide stages move in several transactions; job compare-and-set keeps each step safe.
      while (jobWrites.length > MAX_TRANSACT_ITEMS - 1) await transact(jobWrites.splice(0, MAX_TRANSACT_ITEMS - 1));
      await transact([...jobWrites, updateProcessedPipeline(pipeline.id, pipeline.jobsVersion, changes, changed.length > 0)]);
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    }
    const updated = { ...pipeline, ...changes };
    const after = new Map(changed.map((change) => [change.after.id, change.after]));
    return {
      pipeline: updated,
      jobs: read.jobs.map((job) => after.get(job.id) ?? job),
      moved: { changed: changed.map(({ after }) => after), previousStatus: pipeline.status },
    };
  }
  throw new Error(`pipeline ${pipelineId}: processing kept conflicting`);
}
