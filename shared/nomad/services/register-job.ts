import { serviceLogger } from '../../observability/logger';
import { nextIndex } from '../../storage/index-clock';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { badRequest, conflict, notFound } from '../errors';
import { config } from '../../config';
import { canonicalizeJob } from '../jobspec/canonicalize';
import { fieldTypeProblem } from '../jobspec/field-types';
import { specChanged } from '../jobspec/spec-changed';
import { formatErrors, validateJob } from '../jobspec/validate';
import { nextLaunch } from '../periodic/cron';
import { jobDeltaUpdate } from '../store/job-counters';
import { pruneJobVersions } from '../store/job-versions';
import { touchJobs } from '../store/collection-index';
import { putJobVersion, readJob, writeJobItem, type JobRecord } from '../store/jobs';
import { DEFAULT_NAMESPACE, readNamespace } from '../store/namespaces';
import { MAX_SOURCE_SIZE, pruneSubmissions, submissionItem, type JobSubmission } from '../store/submissions';
import { putNewEval } from '../store/evals';
import { isParentJob, type Job } from '../structs/job';
import type { Evaluation } from '../structs/evaluation';
import type { JobWriteOutcome } from '../structs/job-write-outcome';
import { queueNewEvals } from '../store/eval-queue';
import { newEval } from './new-eval';

/**
 * Registering a job (Nomad's Job.Register): canonicalise, validate, check-and-set, and write the
 * job, its new version, the submitted source and its evaluation in one transaction; then queue
 * the evaluation and prune old versions. A spec that did not change keeps its version but
 * still gets a new evaluation (except periodic and parameterized parents, which are never
 * evaluated). Revert, scale, dispatch and periodic launches are registers too, with their own
 * checks and extra items in the same transaction.
 */
const logger = serviceLogger('nomad-api');

export interface SubmissionInput {
  Source?: string;
  Format?: string;
  VariableFlags?: Record<string, string> | null;
  Variables?: string;
}

export interface RegisterRequest {
  job: unknown;
  namespace: string;
  enforceIndex: boolean;
  jobModifyIndex: number;
  evalPriority: number;
  preserveCounts: boolean;
  submission?: SubmissionInput | null;
  /** The evaluation's trigger; `job-register` unless a scale or a launch says otherwise. */
  triggeredBy?: string;
  /** Revert's EnforcePriorVersion: the version the stored job must be at. */
  expectedVersion?: number;
  /** Children (dispatch, periodic) are always new jobs. */
  mustBeNew?: boolean;
  /** More writes that must commit with the job (scaling events, dispatch tokens, the parent's next launch). */
  extraItems?: (job: Job, index: number, evaluation: Evaluation | undefined) => TransactItem[];
  /** Unix ms of the register; now by default (periodic launches use their due time). */
  now?: number;
}

/** The register's outcome: the job as stored and what the caller is told (wire/job-register-response.ts). */
export interface RegisterResult extends JobWriteOutcome {
  warnings: string[];
  job: Job;
}

export const BUILT_IN_NODE_POOLS = new Set(['default', 'all']);

function checkEnforceIndex(request: RegisterRequest, existing: JobRecord | undefined): void {
  if (!request.enforceIndex) return;
  const prefix = `Enforcing job modify index ${request.jobModifyIndex}`;
  if (request.jobModifyIndex === 0 && existing) throw conflict(`${prefix}: job already exists`);
  if (request.jobModifyIndex !== 0 && !existing) throw conflict(`${prefix}: job does not exist`);
  if (existing && request.jobModifyIndex !== 0 && existing.job.JobModifyIndex !== request.jobModifyIndex) {
    throw conflict(`${prefix}: job exists with conflicting job modify index: ${existing.job.JobModifyIndex}`);
  }
}

function checkTransitions(existing: Job, job: Job): void {
  if (existing.Type !== job.Type) throw badRequest(`cannot update job from type "${existing.Type}" to "${job.Type}"`);
  if (existing.Periodic && !job.Periodic) throw badRequest('cannot update periodic job to being non-periodic');
  if (!existing.Periodic && job.Periodic) throw badRequest('cannot update non-periodic job to being periodic');
  if (existing.ParameterizedJob && !job.ParameterizedJob) {
    throw badRequest('cannot update parameterized job to being non-parameterized');
  }
  if (!existing.ParameterizedJob && job.ParameterizedJob) {
    throw badRequest('cannot update non-parameterized job to being parameterized');
  }
  if (existing.Dispatched !== job.Dispatched) throw badRequest("field 'Dispatched' is read-only");
}

/**
 * A job is stored whole in one DynamoDB item (400 KB at most) beside its version, so its JSON is
 * bounded below that; Nomad has no such bound.
 */
export const MAX_JOB_SPEC_BYTES = 300 * 1024;

/** Checks the submitted fields' types as Go's decoder would, then canonicalises and validates the job for the namespace. */
export function prepareJob(raw: unknown, namespace: string): { job: Job; warnings: string[] } {
  const typeProblem = fieldTypeProblem(raw);
  if (typeProblem) throw badRequest(typeProblem);
  const job = canonicalizeJob(raw);
  job.Namespace = namespace;
  const { errors, warnings } = validateJob(job, { maxGroupCount: config().maxGroupCount });
  if (errors.length > 0) throw badRequest(formatErrors(errors));
  const bytes = Buffer.byteLength(JSON.stringify(job));
  if (bytes > MAX_JOB_SPEC_BYTES) throw badRequest(`job is ${bytes} bytes as JSON; at most ${MAX_JOB_SPEC_BYTES} are allowed`);
  if (!BUILT_IN_NODE_POOLS.has(job.NodePool)) {
    throw badRequest(`job "${job.ID}" is in nonexistent node pool "${job.NodePool}"`);
  }
  return { job, warnings };
}

export async function checkNamespaceExists(jobId: string, namespace: string): Promise<void> {
  if (namespace === DEFAULT_NAMESPACE) return;
  if (!(await readNamespace(namespace))) throw badRequest(`job "${jobId}" is in nonexistent namespace "${namespace}"`);
}

/** When a periodic parent's next child is due; null when it launches nothing (stopped, disabled, a child). */
export function periodicNextLaunch(job: Job, after: number): number | null {
  if (!job.Periodic || !job.Periodic.Enabled || job.Stop || job.ParentID) return null;
  return nextLaunch(job.Periodic, new Date(after))?.getTime() ?? null;
}

export async function registerJob(request: RegisterRequest): Promise<RegisterResult> {
  const prepared = prepareJob(request.job, request.namespace);
  const submitted = prepared.job;
  await checkNamespaceExists(submitted.ID, submitted.Namespace);
  const submission = request.submission?.Source ? request.submission : undefined;
  const warnings = [...prepared.warnings];
  if (submission && Buffer.byteLength(submission.Source!) > MAX_SOURCE_SIZE) {
    warnings.push(`job source size of ${Buffer.byteLength(submission.Source!)} exceeds maximum of ${MAX_SOURCE_SIZE} and will be discarded`);
  }
  for (let attempt = 0; ; attempt++) {
    const existing = request.mustBeNew ? undefined : await readJob(submitted.Namespace, submitted.ID);
    checkEnforceIndex(request, existing);
    if (request.expectedVersion !== undefined) {
      if (!existing) throw notFound(`job "${submitted.ID}" not found`);
      if (existing.job.Version !== request.expectedVersion) {
        throw conflict(`Current job has version ${existing.job.Version}; enforcing version ${request.expectedVersion}`);
      }
    }
    if (existing) checkTransitions(existing.job, submitted);
    const job: Job = structuredClone(submitted);
    if (existing && request.preserveCounts) {
      for (const group of job.TaskGroups) {
        const old = existing.job.TaskGroups.find((candidate) => candidate.Name === group.Name);
        if (old) group.Count = old.Count;
      }
    }
    const changed = specChanged(existing?.job, job);
    const index = nextIndex();
    const now = request.now ?? Date.now();
    if (changed) {
      job.Version = existing ? existing.job.Version + 1 : 0;
      job.CreateIndex = existing?.job.CreateIndex ?? index;
      job.ModifyIndex = index;
      job.JobModifyIndex = index;
      job.SubmitTime = now * 1_000_000;
      job.Stable = false;
      // A tag names the version it was put on, never the next one.
      job.VersionTag = null;
    } else {
      Object.assign(job, {
        Version: existing!.job.Version,
        CreateIndex: existing!.job.CreateIndex,
        ModifyIndex: existing!.job.ModifyIndex,
        JobModifyIndex: existing!.job.JobModifyIndex,
        SubmitTime: existing!.job.SubmitTime,
        Stable: existing!.job.Stable,
        VersionTag: existing!.job.VersionTag,
      });
    }
    const jobModifyIndex = changed ? index : existing!.job.JobModifyIndex;
    const evaluation: Evaluation | undefined = isParentJob(job)
      ? undefined
      : newEval({
          namespace: job.Namespace,
          jobId: job.ID,
          type: job.Type,
          priority: request.evalPriority || job.Priority,
          triggeredBy: request.triggeredBy ?? 'job-register',
          jobModifyIndex,
          index,
          now,
        });

    const items: TransactItem[] = [];
    if (changed) {
      items.push(
        writeJobItem({
          job,
          expectedJobModifyIndex: existing?.job.JobModifyIndex,
          index,
          specChanged: true,
          newEval: !!evaluation,
          nextLaunch: job.Periodic || existing?.job.Periodic ? periodicNextLaunch(job, now) : undefined,
        }),
        putJobVersion(job),
        touchJobs(job.Namespace, job.ID, index),
      );
      if (submission && Buffer.byteLength(submission.Source!) <= MAX_SOURCE_SIZE) items.push(await submissionItem(submissionOf(job, submission)));
    } else if (evaluation) {
      items.push(jobDeltaUpdate(job.Namespace, job.ID, existing!.job.CreateIndex, { openEvals: 1, hadEval: true }, index));
    }
    if (evaluation) items.push(putNewEval(evaluation));
    items.push(...(request.extraItems?.(job, index, evaluation) ?? []));

    try {
      await transact(items);
    } catch (error) {
      // Someone registered the same job in between: check-and-set callers learn of it, others retry.
      if (error instanceof TransactionConflict && attempt < 5 && !request.mustBeNew) continue;
      throw error;
    }
    if (evaluation) await queueNewEvals([evaluation]);
    if (changed) await pruneHistory(job, !!submission);
    return { evaluation, jobModifyIndex, warnings, index, job };
  }
}

function submissionOf(job: Job, submission: SubmissionInput): JobSubmission {
  return {
    Source: submission.Source!,
    Format: submission.Format || 'hcl2',
    VariableFlags: submission.VariableFlags && Object.keys(submission.VariableFlags).length > 0 ? submission.VariableFlags : null,
    Variables: submission.Variables ?? '',
    Namespace: job.Namespace,
    JobID: job.ID,
    Version: job.Version,
    JobModifyIndex: job.JobModifyIndex,
  };
}

/** Drops the versions and sources retention no longer keeps. Best effort: the job is registered. */
async function pruneHistory(job: Job, submitted: boolean): Promise<void> {
  try {
    if (submitted) await pruneSubmissions(job.Namespace, job.ID, job.Version);
    await pruneJobVersions(job.Namespace, job.ID, job.Version);
  } catch (error) {
    logger.warn('job registered, but its history could not be pruned', { jobId: job.ID, error });
  }
}
