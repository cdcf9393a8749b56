import { RE2JS } from 're2js';
import { findToken } from '../../auth/store/token-store';
import { transact, TransactionConflict } from '../../storage/transact';
import { RUNNER_FAILURE_REASONS } from '../entities/runner-protocol';
import { forbidden, GitLabError } from '../errors';
import type { JobRecord } from '../records';
import { effectiveAllowFailure, runnerStateTarget } from '../state/job-events';
import { transitionFields } from '../state/transition-fields';
import { getJob, updateJob } from '../store/jobs';
import { readPipelineWithJobs, touchPipeline } from '../store/pipelines';
import { appendTrace, readTrace, traceTail } from '../store/traces';
import { heartbeatRunner } from '../store/runners';
import { getUser } from '../store/users';
import { retryJobWithoutAnswer } from './job-actions';
import { processPipelineNow } from './pipeline-engine';
import { archiveTrace } from '../traces/archive';

/**
 * What a runner reports about the job it runs: its final state (`PUT /jobs/:id`) and its log
 * (`PATCH /jobs/:id/trace`). Both authenticate with the job's token and answer 403 with a
 * `Job-Status` header once the job no longer runs, which is how a runner learns of a cancel.
 */
const RUNNING = ['running', 'canceling'];

export async function authenticateJob(jobId: number, token: string | undefined): Promise<JobRecord> {
  if (!token) throw forbidden();
  const record = await findToken(token);
  if (!record || record.kind !== 'gitlab-job' || Number(record.claims.jobId) !== jobId) throw forbidden();
  const job = await getJob(jobId);
  if (!job || job.erasedAt !== null) throw forbidden();
  return job;
}

function requireRunning(job: JobRecord): void {
  if (!RUNNING.includes(job.status)) throw forbidden('Job is not running', { 'Job-Status': job.status });
}

/** The last coverage figure in the log, matched with the job's `coverage` regex. */
function coverageFrom(log: string, pattern: string | null): number | null {
  if (!pattern) return null;
  const source = pattern.replace(/^\/(.*)\/[a-z]*$/s, '$1');
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(source);
  } catch {
    return null;
  }
  let coverage: number | null = null;
  for (const line of log.split('\n')) {
    const match = regex.exec(line);
    const number = match?.[0]?.match(/\d+(?:\.\d+)?/);
    if (number) coverage = Number(number[0]);
  }
  return coverage;
}

/** Whether the job's `retry:` covers this failure (how many retries are left is counted apart). */
function retryCovers(job: JobRecord, reason: string, exitCode: number | null): boolean {
  const retry = job.definition.retry;
  if (!retry || retry.max === 0) return false;
  if (retry.exitCodes.length > 0 && (exitCode === null || !retry.exitCodes.includes(exitCode))) return false;
  return retry.when.includes('always') || retry.when.includes(reason);
}

export interface StateUpdate {
  state?: string;
  failureReason?: string;
  exitCode?: number;
}

/** `PUT /jobs/:id`; returns the job's status for the `Job-Status` header. */
/** A runner busy with a long job asks for no others: its job updates keep it online, as in GitLab (`heartbeat_runner`). */
const HEARTBEAT_INTERVAL_MS = 60_000;

export async function updateJobState(jobId: number, token: string | undefined, update: StateUpdate): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const job = await authenticateJob(jobId, token);
    if (attempt === 0 && job.runnerId !== null) await heartbeatRunner(job.runnerId, Date.now(), HEARTBEAT_INTERVAL_MS);
    requireRunning(job);
    if (update.state !== 'success' && update.state !== 'failed') return job.status;
    const target = runnerStateTarget(job.status, update.state)!;
    const now = Date.now();
    const changes: Partial<JobRecord> = transitionFields(job, target, now);
    const exitCode = update.exitCode ?? null;
    if (exitCode !== null) changes.exitCode = exitCode;
    let reason = 'unknown_failure';
    if (target === 'failed') {
      reason = update.failureReason && (RUNNER_FAILURE_REASONS as readonly string[]).includes(update.failureReason) ? update.failureReason : 'unknown_failure';
      changes.failureReason = reason;
      changes.allowFailure = effectiveAllowFailure(job.definition, exitCode);
    }
    if (job.definition.coverage) changes.coverage = coverageFrom((await readTrace(job.id)).toString('utf8'), job.definition.coverage);
    try {
      await transact([updateJob(job, changes, [job.status]), touchPipeline(job.pipelineId, now)]);
    } catch (error) {
      if (error instanceof TransactionConflict) continue;
      throw error;
    }
    if (target === 'failed' && retryCovers(job, reason, exitCode)) {
      const [read, user] = await Promise.all([readPipelineWithJobs(job.pipelineId), getUser(job.userId)]);
      const retriesSoFar = (read?.jobs ?? []).filter((other) => other.name === job.name && other.retried).length;
      if (user && retriesSoFar < job.definition.retry!.max) {
        await retryJobWithoutAnswer({ ...job, ...changes }, user);
        await archiveTrace((await getJob(job.id))!);
        return target;
      }
    }
    const processed = await processPipelineNow(job.pipelineId);
    await archiveTrace(processed!.jobs.find((other) => other.id === job.id)!);
    return target;
  }
  throw new GitLabError(409, { message: '409 Conflict' });
}

/** `Content-Range: <start>-<end>` as the runner sends it (a `bytes ` prefix or `/total` tolerated). */
function rangeStart(header: string): number | undefined {
  const match = /^(?:bytes\s+)?(\d+)-(\d+)(?:\/\d+)?$/.exec(header.trim());
  return match ? Number(match[1]) : undefined;
}

export type TraceAppend = { status: 202; size: number; jobStatus: string } | { status: 416; size: number };

/** Marks the job as traced in debug mode (once; a job that moved on meanwhile keeps what it has). */
async function enableDebugTrace(job: JobRecord): Promise<void> {
  try {
    await transact([updateJob(job, { debugTrace: true }, [job.status])]);
  } catch (error) {
    if (!(error instanceof TransactionConflict)) throw error;
  }
}

export async function appendJobTrace(jobId: number, token: string | undefined, contentRange: string | undefined, body: Buffer, debugTrace = false): Promise<TraceAppend> {
  const job = await authenticateJob(jobId, token);
  requireRunning(job);
  if (debugTrace && !job.debugTrace) await enableDebugTrace(job);
  if (contentRange === undefined) throw new GitLabError(400, { error: '400 Missing header Content-Range' });
  const start = rangeStart(contentRange);
  if (start === undefined) return { status: 416, size: (await traceTail(jobId)).size };
  const result = await appendTrace(jobId, start, body);
  if (!result.appended) return { status: 416, size: result.size };
  return { status: 202, size: result.size, jobStatus: job.status };
}
