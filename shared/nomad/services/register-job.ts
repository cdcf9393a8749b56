import { Logger } from '@aws-lambda-powertools/logger';
import { nextIndex } from '../../storage/index-clock';
import { touchCollection } from '../../storage/table-index';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { badRequest, conflict } from '../http/errors';
import { canonicalizeJob } from '../jobspec/canonicalize';
import { specChanged } from '../jobspec/spec-changed';
import { formatErrors, formatWarnings, validateJob } from '../jobspec/validate';
import { jobDeltaUpdate } from '../store/job-counters';
import { JOBS_COLLECTION } from '../store/keys';
import { putJobVersion, readJob, writeJobItem, type JobRecord } from '../store/jobs';
import { putNewEval } from '../store/evals';
import { isParentJob, type Job } from '../structs/job';
import type { Evaluation } from '../structs/evaluation';
import { enqueueEvals } from '../worker/eval-queue';
import { newEval } from './new-eval';

/**
 * Registering a job (Nomad's Job.Register): canonicalise, validate, check-and-set, and write the
 * job, its new version and its evaluation in one transaction; then queue the evaluation. A spec
 * that did not change keeps its version but still gets a new evaluation (except periodic and
 * parameterized parents, which are never evaluated).
 */
const logger = new Logger({ serviceName: 'nomad-api' });

export interface RegisterRequest {
  job: unknown;
  namespace: string;
  enforceIndex: boolean;
  jobModifyIndex: number;
  evalPriority: number;
  preserveCounts: boolean;
}

export interface RegisterResult {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings: string;
  Index: number;
  LastContact: number;
  KnownLeader: boolean;
  NextToken: string;
}

const BUILT_IN_NODE_POOLS = new Set(['default', 'all']);

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

/** Canonicalises and validates a submitted job for the given namespace. */
export function prepareJob(raw: unknown, namespace: string): { job: Job; warnings: string } {
  const job = canonicalizeJob(raw);
  job.Namespace = namespace;
  const { errors, warnings } = validateJob(job);
  if (errors.length > 0) throw badRequest(formatErrors(errors));
  if (!BUILT_IN_NODE_POOLS.has(job.NodePool)) {
    throw badRequest(`job "${job.ID}" is in nonexistent node pool "${job.NodePool}"`);
  }
  return { job, warnings: formatWarnings(warnings) };
}

export async function registerJob(request: RegisterRequest): Promise<RegisterResult> {
  const { job: submitted, warnings } = prepareJob(request.job, request.namespace);
  for (let attempt = 0; ; attempt++) {
    const existing = await readJob(submitted.Namespace, submitted.ID);
    checkEnforceIndex(request, existing);
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
    const now = Date.now();
    if (changed) {
      job.Version = existing ? existing.job.Version + 1 : 0;
      job.CreateIndex = existing?.job.CreateIndex ?? index;
      job.ModifyIndex = index;
      job.JobModifyIndex = index;
      job.SubmitTime = now * 1_000_000;
      job.Stable = false;
    }
    const jobModifyIndex = changed ? index : existing!.job.JobModifyIndex;
    const evaluation: Evaluation | undefined = isParentJob(job)
      ? undefined
      : newEval({
          namespace: job.Namespace,
          jobId: job.ID,
          type: job.Type,
          priority: request.evalPriority || job.Priority,
          triggeredBy: 'job-register',
          jobModifyIndex,
          index,
          now,
        });

    const items: TransactItem[] = [];
    if (changed) {
      items.push(
        writeJobItem({ job, expectedJobModifyIndex: existing?.job.JobModifyIndex, index, specChanged: true, newEval: !!evaluation }),
        putJobVersion(job),
        touchCollection(JOBS_COLLECTION, `${job.Namespace}/${job.ID}`, index),
      );
    } else if (evaluation) {
      items.push(jobDeltaUpdate(job.Namespace, job.ID, existing!.job.CreateIndex, { openEvals: 1, hadEval: true }, index));
    }
    if (evaluation) items.push(putNewEval(evaluation));

    try {
      await transact(items);
    } catch (error) {
      // Someone registered the same job in between: check-and-set callers learn of it, others retry.
      if (error instanceof TransactionConflict && attempt < 5) continue;
      throw error;
    }
    if (evaluation) {
      await enqueueEvals([evaluation]).catch((error) =>
        logger.warn('evaluation stored but not queued; the periodic sweep will queue it', { evalId: evaluation.ID, error }),
      );
    }
    return {
      EvalID: evaluation?.ID ?? '',
      EvalCreateIndex: evaluation ? index : 0,
      JobModifyIndex: jobModifyIndex,
      Warnings: warnings,
      Index: index,
      LastContact: 0,
      KnownLeader: false,
      NextToken: '',
    };
  }
}
