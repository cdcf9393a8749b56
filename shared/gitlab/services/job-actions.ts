import { badRequest, forbidden, GitLabError } from '../errors';
import type { JobRecord, UserRecord } from '../records';
import { isErasable, isPlayable, isRetryable } from '../state/job-events';
import { enqueuedStatus } from '../state/resource-groups';
import { jobsToReset, notYetRun, transitionFields } from '../state/transition-fields';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { nextId } from '../store/counters';
import { getJob, putJob, putJobPointer, updateJob } from '../store/jobs';
import { readPipelineWithJobs, touchPipeline } from '../store/pipelines';
import { eraseTrace, traceTail } from '../store/traces';
import { deleteExpiry } from '../store/artifact-expiry';
import { deleteJobObjects } from '../store/artifact-bucket';
import { unchangedSince } from '../artifacts/unchanged';
import { recordEnvironments } from './environments';
import { afterJobsChanged, processPipelineNow } from './pipeline-engine';
import { latestJobs } from './process-pipeline';
import { withFreshJob } from './fresh-job';

// The Jobs API's actions on one job, given as the caller last read it. Each is a conditional write
// on the job's status, re-read and re-decided if another writer got there first (fresh-job.ts),
// then the pipeline is processed. Canceling is the engine's (pipeline-engine.ts): creating a
// pipeline cancels the jobs it makes redundant.

async function reread(jobId: number): Promise<JobRecord> {
  return (await getJob(jobId))!;
}

/** A new job for `job` (GitLab's clone on retry), not yet processed. */
function cloneForRetry(job: JobRecord, id: number, user: UserRecord, now: number): JobRecord {
  return {
    ...job,
    ...notYetRun(now),
    id,
    userId: user.id,
    retryOf: job.id,
    debugTrace: false,
  };
}

type RetryOptions = { enqueue?: boolean; jobVariables?: JobRecord['jobVariables'] };

/**
 * Retry: a new job takes the old one's place (the old one keeps its status and is marked retried),
 * skipped jobs after it go back to created, and the pipeline is processed. `enqueue` makes the new
 * job pending at once (playing a finished manual job). Answers the new job as it is then.
 */
export async function retryJob(read: JobRecord, user: UserRecord, options: RetryOptions = {}): Promise<JobRecord> {
  return reread(await retryJobWithoutAnswer(read, user, options));
}

/** `retryJob` for callers that answer something else: the new job's id, not read back. */
export async function retryJobWithoutAnswer(read: JobRecord, user: UserRecord, options: RetryOptions = {}): Promise<number> {
  const newId = await nextId('job');
  const retried = await withFreshJob(read, async (job) => {
    if (!isRetryable(job)) throw forbidden('Job is not retryable');
    const read = await readPipelineWithJobs(job.pipelineId);
    const now = Date.now();
    let clone = cloneForRetry(job, newId, user, now);
    if (options.jobVariables) clone.jobVariables = options.jobVariables;
    if (options.enqueue) clone = { ...clone, ...transitionFields(clone, enqueuedStatus(clone), now) };
    const reset = jobsToReset(latestJobs(read?.jobs ?? []), job);
    const items: TransactItem[] = [
      updateJob(job, { retried: true, updatedAt: now }, ['success', 'failed', 'canceled', 'canceling'], {
        expression: '(attribute_not_exists(#retried) OR #retried = :false)',
        names: { '#retried': 'retried' },
        values: { ':false': false },
      }),
      putJob(clone),
      putJobPointer(clone),
      ...reset.slice(0, 95).map((other) => updateJob(other, { status: 'created', updatedAt: now }, ['skipped'])),
      touchPipeline(job.pipelineId),
    ];
    await transact(items);
    return clone;
  });
  await recordEnvironments([retried]);
  const processed = await processPipelineNow(retried.pipelineId);
  if (options.enqueue && processed) await afterJobsChanged(processed.pipeline, [retried], processed.pipeline.status);
  return retried.id;
}

/**
 * Play: a manual or delayed job becomes pending for `user` (with the variables given); a finished
 * manual job is retried and the new job enqueued. Answers with the played job.
 */
export async function playJob(job: JobRecord, user: UserRecord, variables: JobRecord['jobVariables']): Promise<JobRecord> {
  if (!isPlayable(job)) throw badRequest('Unplayable Job');
  if (job.status !== 'manual' && job.status !== 'scheduled') {
    await retryJobWithoutAnswer(job, user, { enqueue: true, jobVariables: variables.length > 0 ? variables : job.jobVariables });
    return reread(job.id);
  }
  const now = Date.now();
  const changes = { ...transitionFields(job, enqueuedStatus(job), now), userId: user.id, jobVariables: variables, scheduledAt: null };
  try {
    await transact([updateJob(job, changes, [job.status]), touchPipeline(job.pipelineId)]);
  } catch (error) {
    if (error instanceof TransactionConflict) throw badRequest('Unplayable Job');
    throw error;
  }
  const processed = await processPipelineNow(job.pipelineId);
  if (processed) await afterJobsChanged(processed.pipeline, [{ ...job, ...changes }], processed.pipeline.status);
  // A bridge is answered as enqueued: GitLab creates its downstream pipeline afterwards, in the background.
  return job.type === 'bridge' ? { ...job, ...changes } : reread(job.id);
}

/** Erase: artifacts and log go, `erased_at`/`erased_by` are set; answers the job as written. */
export async function eraseJob(read: JobRecord, user: UserRecord): Promise<JobRecord> {
  const erased = await withFreshJob(read, async (job) => {
    const { size } = await traceTail(job.id);
    if (!isErasable(job, size)) throw forbidden('Job is not erasable!');
    const now = Date.now();
    const changes = { artifacts: [], artifactsExpireAt: null, erasedAt: now, erasedBy: user.id, updatedAt: now };
    await transact([updateJob(job, changes, [job.status]), deleteExpiry(job.id)]);
    return { ...job, ...changes };
  });
  await eraseTrace(erased.id);
  await deleteJobObjects(erased, { trace: true });
  return erased;
}

/** Keep: the artifacts no longer expire; answers the job as written. */
export async function keepArtifacts(read: JobRecord): Promise<JobRecord> {
  return withFreshJob(read, async (job) => {
    if (job.artifacts.length === 0) throw new GitLabError(404, { message: '404 Not Found' });
    const changes = { artifacts: job.artifacts.map((artifact) => ({ ...artifact, expireAt: null })), artifactsExpireAt: null, updatedAt: Date.now() };
    await transact([updateJob(job, changes, [job.status], unchangedSince(job)), deleteExpiry(job.id)]);
    return { ...job, ...changes };
  });
}

/** Delete artifacts: every erasable artifact of the job; the log stays, as it is not one (GitLab's `erasable` scope). */
export async function deleteArtifacts(read: JobRecord): Promise<void> {
  const job = await withFreshJob(read, async (fresh) => {
    const kept = fresh.artifacts.filter((artifact) => artifact.fileType === 'trace');
    await transact([updateJob(fresh, { artifacts: kept, artifactsExpireAt: null, updatedAt: Date.now() }, [fresh.status]), deleteExpiry(fresh.id)]);
    return fresh;
  });
  await deleteJobObjects(job, { trace: false });
}
