import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { config } from '../../config';
import { computePlan, nodeIndex } from '../scheduler/generic-sched';
import { readEval } from '../store/evals';
import { isOpenEval, type Evaluation } from '../structs/evaluation';
import { evalDueAt } from './due';
import type { EvalMessage } from './eval-queue';
import { EMPTY_RESULT, finishEval, planFinish, type EvalOutcome } from './finish-eval';
import { maybeFail } from './faults';
import { acquireLease, releaseLease, whileLeased, type Lease } from './job-lease';
import { recordUsage, refreshNodes } from './node-cache';
import { applyPlan, EvalFinishedElsewhere, JobChanged } from './plan-apply';
import { loadSnapshot, withFreshNodes } from './snapshot';
import { unblockEvals } from './unblock';

/**
 * The worker loop for one evaluation (Nomad's worker): lease the job, snapshot, schedule, commit
 * the plan, and re-plan from fresh state what a conflict rejected, then record the outcome.
 *
 * Safe to run twice for the same evaluation (SQS delivers at least once): an evaluation that is
 * no longer open is acknowledged without work, and a run cut short leaves state from which the
 * next run places only what is still missing, because every decision is taken from a consistent
 * read of the job's allocations.
 */
const logger = new Logger({ serviceName: 'placement-worker' });

/** Nomad fails an evaluation delivered this many times and retries it later. */
const DELIVERY_LIMIT = 3;

const KNOWN_TRIGGERS = new Set([
  'job-register',
  'job-deregister',
  'periodic-job',
  'job-scaling',
  'node-drain',
  'node-update',
  'alloc-stop',
  'alloc-failure',
  'alloc-reschedule',
  'rolling-update',
  'deployment-watcher',
  'failed-follow-up',
  'max-plan-attempts',
  'queued-allocs',
  'scheduled',
  'preemption',
  'max-disconnect-timeout',
  'reconnect',
]);

/** Nomad's plan attempts per evaluation: services retry harder than batch jobs. */
function maxAttempts(type: string | undefined): number {
  return type === 'batch' || type === 'sysbatch' ? 2 : 5;
}

export interface Delivery {
  /** SQS ApproximateReceiveCount of the message. */
  receiveCount: number;
}

export async function processEvaluation(message: EvalMessage, delivery: Delivery = { receiveCount: 1 }): Promise<EvalOutcome> {
  // A pending evaluation only changes when it is finished, so the copy in the message is good
  // enough; a blocked one is re-blocked with a new ModifyIndex between unblocks, so it is read.
  const carried = message.Eval?.ID === message.EvalID && message.Eval.Status === 'pending' ? message.Eval : undefined;
  const evaluation = carried ?? (await readEval(message.Namespace, message.JobID, message.EvalID));
  if (!evaluation || !isOpenEval(evaluation.Status)) return 'ignored';
  // A delayed evaluation is sent again by the periodic duties when it is due.
  if (evaluation.Status === 'pending' && evalDueAt(evaluation) > Date.now()) return 'ignored';
  if (delivery.receiveCount > DELIVERY_LIMIT) {
    return finishEval(evaluation, EMPTY_RESULT, {
      failed: `evaluation reached delivery limit (${DELIVERY_LIMIT})`,
      followUpAfterMs: 60_000 + Math.floor(Math.random() * 5 * 60_000),
    });
  }
  if (!KNOWN_TRIGGERS.has(evaluation.TriggeredBy)) {
    return finishEval(evaluation, EMPTY_RESULT, { failed: `scheduler cannot handle '${evaluation.TriggeredBy}' evaluation reason` });
  }

  const lease = { namespace: evaluation.Namespace, jobId: evaluation.JobID, owner: `${evaluation.ID}/${randomUUID()}` };
  await acquireLease(lease, Date.now());
  const held = { released: false };
  try {
    maybeFail('after-lease');
    return await whileLeased(lease, () => schedule(evaluation, lease, held));
  } finally {
    if (!held.released) await releaseLease(lease);
  }
}

async function schedule(evaluation: Evaluation, lease: Lease, held: { released: boolean }): Promise<EvalOutcome> {
  let freedCapacity = false;
  let freshNodes = false;
  for (let attempt = 1; ; attempt++) {
    let loaded = await loadSnapshot(evaluation.Namespace, evaluation.JobID, { freshNodes, nodeId: evaluation.NodeID });
    maybeFail('after-snapshot');
    const options = { newId: randomUUID, algorithm: config().schedulerAlgorithm };
    let result = computePlan({ snapshot: loaded.snapshot, evaluation, options });
    if (Object.keys(result.failedTGAllocs).length > 0 && !loaded.freshNodes) {
      // Never conclude that something does not fit from a cached view of the nodes.
      loaded = await withFreshNodes(loaded);
      freshNodes = true;
      result = computePlan({ snapshot: loaded.snapshot, evaluation, options });
    }
    const { snapshot } = loaded;
    const { plan } = result;
    let settled =
      plan.placements.length + plan.stops.length + plan.inPlaceUpdates.length + plan.allocUpdates.length + plan.followupEvals.length === 0 &&
      !plan.deployment &&
      plan.deploymentUpdates.length === 0;
    let finished = false;
    const finish = settled ? undefined : await planFinish(evaluation, result, {}, loaded.record);
    if (!settled) {
      try {
        const applied = await applyPlan(plan, {
          job: snapshot.job,
          nodes: nodeIndex(snapshot.nodes),
          lease,
          deployment: snapshot.deployment,
          now: snapshot.now,
          onCommitted: recordUsage,
          // The outcome rides in the plan's last transaction (only if nothing is rejected).
          finish,
        });
        finished = applied.finished;
        held.released = finished;
        maybeFail('after-commit');
        if (applied.stopped.some((stop) => stop.wasLive)) freedCapacity = true;
        settled = applied.rejectedNodes.size === 0;
        if (!settled) {
          logger.info('plan partially rejected, re-planning', { evalId: evaluation.ID, rejected: [...applied.rejectedNodes] });
          await refreshNodes(applied.rejectedNodes);
        }
      } catch (error) {
        if (error instanceof EvalFinishedElsewhere) return 'ignored';
        if (!(error instanceof JobChanged)) throw error;
      }
    }
    if (settled) {
      let outcome: EvalOutcome;
      if (finished && finish) {
        outcome = finish.outcome;
      } else {
        maybeFail('before-finish');
        outcome = await finishEval(evaluation, result, { record: loaded.record, lease });
        held.released = outcome !== 'ignored';
      }
      if (freedCapacity) await unblockEvals({ exceptJobId: evaluation.JobID });
      return outcome;
    }
    if (attempt >= maxAttempts(snapshot.job?.Type)) {
      result = { ...result, failedTGAllocs: {} };
      const outcome = await finishEval(evaluation, result, { failed: `maximum attempts reached (${attempt})`, lease });
      held.released = outcome !== 'ignored';
      return outcome;
    }
  }
}
