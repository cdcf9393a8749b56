import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { computePlan } from '../scheduler/generic-sched';
import { readEval } from '../store/evals';
import type { Evaluation } from '../structs/evaluation';
import type { EvalMessage } from './eval-queue';
import { finishEval, type EvalOutcome } from './finish-eval';
import { maybeFail } from './faults';
import { acquireLease, releaseLease, type Lease } from './job-lease';
import { applyPlan, JobChanged } from './plan-apply';
import { loadSnapshot } from './snapshot';
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

/** Nomad's plan attempts per evaluation: services retry harder than batch jobs. */
function maxAttempts(type: string | undefined): number {
  return type === 'batch' || type === 'sysbatch' ? 2 : 5;
}

export async function processEvaluation(message: EvalMessage): Promise<EvalOutcome> {
  const evaluation = await readEval(message.Namespace, message.JobID, message.EvalID);
  if (!evaluation || (evaluation.Status !== 'pending' && evaluation.Status !== 'blocked')) return 'ignored';

  const lease = { namespace: evaluation.Namespace, jobId: evaluation.JobID, owner: `${evaluation.ID}/${randomUUID()}` };
  await acquireLease(lease, Date.now());
  try {
    return await schedule(evaluation, lease);
  } finally {
    await releaseLease(lease);
  }
}

async function schedule(evaluation: Evaluation, lease: Lease): Promise<EvalOutcome> {
  let freedCapacity = false;
  for (let attempt = 1; ; attempt++) {
    const { snapshot } = await loadSnapshot(evaluation.Namespace, evaluation.JobID);
    maybeFail('after-snapshot');
    const result = computePlan({ snapshot, evaluation, options: { newId: randomUUID } });
    const { plan } = result;
    let settled = plan.placements.length + plan.stops.length + plan.inPlaceUpdates.length === 0;
    if (!settled) {
      try {
        const applied = await applyPlan(plan, {
          job: snapshot.job,
          nodes: new Map(snapshot.nodes.map((entry) => [entry.node.ID, entry])),
          lease,
          now: snapshot.now,
        });
        maybeFail('after-commit');
        if (applied.stopped.some((stop) => stop.wasLive)) freedCapacity = true;
        settled = applied.rejectedNodes.size === 0;
        if (!settled) logger.info('plan partially rejected, re-planning', { evalId: evaluation.ID, rejected: [...applied.rejectedNodes] });
      } catch (error) {
        if (!(error instanceof JobChanged)) throw error;
      }
    }
    if (settled) {
      maybeFail('before-finish');
      const outcome = await finishEval(evaluation, result, {});
      if (freedCapacity) await unblockEvals(evaluation.JobID);
      return outcome;
    }
    if (attempt >= maxAttempts(snapshot.job?.Type)) {
      return finishEval(evaluation, result, { failed: `maximum attempts reached (${attempt})` });
    }
  }
}
