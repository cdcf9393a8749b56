import { randomUUID } from 'node:crypto';
import { nextIndex } from '../../storage/index-clock';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import type { SchedulerResult } from '../scheduler/types';
import { indexBlockedEval, unindexBlockedEval } from '../store/blocked-evals';
import { putNewEval, readEval, replaceEval } from '../store/evals';
import { jobDeltaUpdate, type JobDelta } from '../store/job-counters';
import { readJob, type JobRecord } from '../store/jobs';
import type { Evaluation } from '../structs/evaluation';
import { leaseRelease, type Lease } from '../store/job-lease';

/**
 * Records how an evaluation ended, in one transaction with the job's counters:
 * - everything placed → `complete`, and the job's blocked evaluation (if any) is cancelled;
 * - some allocations found no node → `complete` with FailedTGAllocs, plus one blocked
 *   evaluation (`queued-allocs`) that replaces any older one; a blocked evaluation that still
 *   cannot place is blocked again instead;
 * - out of plan attempts → `failed`, plus a `max-plan-attempts` blocked evaluation;
 * - delivered too often → `failed`, plus a delayed `failed-follow-up` evaluation;
 * - quarantined (`final`) → `failed`, and nothing retries it.
 * The evaluation is written only if nobody else finished it first. The same writes can ride in
 * the last transaction of the evaluation's plan (see plan-apply), which saves a round trip.
 */
export type EvalOutcome = 'ignored' | 'complete' | 'blocked' | 'failed';

export interface FinishOptions {
  /** Set when the evaluation failed; the text becomes its StatusDescription. */
  failed?: string;
  /** With `failed`: retry later through a follow-up evaluation rather than a blocked one. */
  followUpAfterMs?: number;
  /** With `failed`: not retried at all, by neither a follow-up nor a blocked evaluation (quarantine). */
  final?: boolean;
  /** The job as the scheduler read it; saves a read when nothing changed since. */
  record?: JobRecord;
  /** The job's lease this worker holds: given back in the same transaction (unless it was lost meanwhile). */
  lease?: Lease;
}

export const EMPTY_RESULT: SchedulerResult = {
  plan: { evalId: '', placements: [], stops: [], inPlaceUpdates: [], allocUpdates: [], deploymentUpdates: [], followupEvals: [] },
  failedTGAllocs: {},
  queuedAllocations: {},
  desiredTGUpdates: {},
  classEligibility: {},
  escapedComputedClass: false,
  deferredPlacements: 0,
};

/** The writes that finish an evaluation, built at the index of the transaction that carries them. */
export interface FinishPlan {
  outcome: EvalOutcome;
  build(index: number, nowNanos: number): { items: TransactItem[]; delta: JobDelta };
}

function derivedEval(from: Evaluation, fields: Partial<Evaluation> & Pick<Evaluation, 'Status' | 'TriggeredBy'>, index: number, nowNanos: number): Evaluation {
  return {
    ID: randomUUID(),
    Namespace: from.Namespace,
    Priority: from.Priority,
    Type: from.Type,
    JobID: from.JobID,
    JobModifyIndex: from.JobModifyIndex,
    PreviousEval: from.ID,
    CreateIndex: index,
    ModifyIndex: index,
    CreateTime: nowNanos,
    ModifyTime: nowNanos,
    ...fields,
  };
}

/** Decides the outcome and reads what it needs (the job's older blocked evaluation). */
export async function planFinish(evaluation: Evaluation, result: SchedulerResult, options: FinishOptions, record: JobRecord | undefined): Promise<FinishPlan> {
  const failures = Object.keys(result.failedTGAllocs).length > 0;
  const outcome: EvalOutcome = options.failed ? 'failed' : failures && evaluation.Status === 'blocked' ? 'blocked' : 'complete';
  const createsBlocked = (options.failed && options.followUpAfterMs === undefined && !options.final) || (outcome === 'complete' && failures);
  // One blocked evaluation per job: a newer one, or a complete placement, cancels the older.
  const olderId = record?.blockedEvalId && record.blockedEvalId !== evaluation.ID ? record.blockedEvalId : undefined;
  const older = olderId && (createsBlocked || (outcome === 'complete' && !failures)) ? await readEval(evaluation.Namespace, evaluation.JobID, olderId) : undefined;

  return {
    outcome,
    build(index, nowNanos) {
      const final: Evaluation = { ...evaluation, ModifyIndex: index, ModifyTime: nowNanos, SnapshotIndex: index, QueuedAllocations: result.queuedAllocations };
      delete final.FailedTGAllocs;
      const items: TransactItem[] = [];
      const delta: JobDelta = { queued: result.queuedAllocations };
      let newBlocked: Evaluation | undefined;
      let followUp: Evaluation | undefined;
      const blocked = (triggeredBy: string, description: string) =>
        derivedEval(
          evaluation,
          {
            Status: 'blocked',
            TriggeredBy: triggeredBy,
            StatusDescription: description,
            ClassEligibility: result.classEligibility,
            EscapedComputedClass: result.escapedComputedClass,
            FailedTGAllocs: failures ? result.failedTGAllocs : undefined,
          },
          index,
          nowNanos,
        );
      if (options.failed) {
        final.Status = 'failed';
        final.StatusDescription = options.failed;
        if (options.followUpAfterMs !== undefined) {
          followUp = derivedEval(
            evaluation,
            {
              Status: 'pending',
              TriggeredBy: 'failed-follow-up',
              Wait: options.followUpAfterMs * 1_000_000,
              WaitUntil: new Date(nowNanos / 1_000_000 + options.followUpAfterMs).toISOString(),
            },
            index,
            nowNanos,
          );
          final.NextEval = followUp.ID;
        } else if (!options.final) newBlocked = blocked('max-plan-attempts', 'created due to placement conflicts');
      } else if (outcome === 'blocked') {
        Object.assign(final, { Status: 'blocked', FailedTGAllocs: result.failedTGAllocs, ClassEligibility: result.classEligibility, EscapedComputedClass: result.escapedComputedClass });
      } else {
        final.Status = 'complete';
        if (failures) {
          final.FailedTGAllocs = result.failedTGAllocs;
          newBlocked = blocked('queued-allocs', 'created to place remaining allocations');
        }
      }
      if (newBlocked) final.BlockedEval = newBlocked.ID;
      items.push(replaceEval(final, evaluation.ModifyIndex));
      if (final.Status !== 'blocked') delta.openEvals = -1;
      if (followUp) {
        items.push(putNewEval(followUp));
        delta.openEvals = (delta.openEvals ?? 0) + 1;
      }
      if (newBlocked) {
        items.push(putNewEval(newBlocked));
        delta.openEvals = (delta.openEvals ?? 0) + 1;
        delta.blockedEvalId = newBlocked.ID;
      } else if (final.Status === 'complete' && record?.blockedEvalId === evaluation.ID) {
        delta.blockedEvalId = null;
      }
      if (olderId && (newBlocked || (final.Status === 'complete' && !failures))) {
        if (older && older.Status === 'blocked') {
          items.push(
            replaceEval({ ...older, Status: 'canceled', StatusDescription: `evaluation "${evaluation.ID}" successful`, ModifyIndex: index, ModifyTime: nowNanos }, older.ModifyIndex),
          );
          delta.openEvals = (delta.openEvals ?? 0) - 1;
        }
        if (!newBlocked) delta.blockedEvalId = null;
      }
      // The index a node's arrival wakes blocked evaluations through follows the job's blocked evaluation.
      const target = record?.job;
      if (target) {
        if (newBlocked) items.push(...indexBlockedEval(newBlocked, target));
        else if (final.Status === 'blocked') items.push(...indexBlockedEval(final, target));
        else if (delta.blockedEvalId === null) items.push(...unindexBlockedEval(evaluation.Namespace, evaluation.JobID, target));
      }
      return { items, delta };
    },
  };
}

/** Records the outcome on its own; 'ignored' if another run finished the evaluation first (the lease is then still held). */
export async function finishEval(evaluation: Evaluation, result: SchedulerResult, options: FinishOptions): Promise<EvalOutcome> {
  let record = options.record;
  let lease = options.lease;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (!record || attempt > 0) record = await readJob(evaluation.Namespace, evaluation.JobID);
    const finish = await planFinish(evaluation, result, options, record);
    const index = nextIndex();
    const { items, delta } = finish.build(index, Date.now() * 1_000_000);
    if (record) items.push(jobDeltaUpdate(evaluation.Namespace, evaluation.JobID, record.job.CreateIndex, delta, index));
    const leasePosition = lease ? items.push(leaseRelease(lease)) - 1 : -1;
    try {
      await transact(items);
      return finish.outcome;
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
      // The evaluation itself changed: another run finished it.
      if (error.failedConditions.includes(0)) return 'ignored';
      // The lease lapsed and was taken: not ours to give back, and the evaluation's condition guards the rest.
      if (error.failedConditions.includes(leasePosition)) lease = undefined;
    }
  }
  throw new Error(`could not record the outcome of evaluation ${evaluation.ID}`);
}
