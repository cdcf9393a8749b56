import { randomUUID } from 'node:crypto';
import { serviceLogger } from '../../observability/logger';
import { config } from '../../config';
import { nodeIndex, planInSlices, type PlanSlices } from '../scheduler/generic-sched';
import { seededRandom } from '../scheduler/seeded-random';
import type { ChangedNode } from '../scheduler/blocked-wake';
import type { SchedulerResult } from '../scheduler/types';
import { readDeployment } from '../store/deployments';
import { readEval } from '../store/evals';
import { readJob } from '../store/jobs';
import { isOpenEval, type Evaluation } from '../structs/evaluation';
import { evalDueAt } from './due';
import type { EvalMessage } from '../wire/eval-message';
import { continueEval } from './continue-eval';
import { EMPTY_RESULT, finishEval, planFinish, type EvalOutcome } from './finish-eval';
import { maybeFail } from './faults';
import { acquireLease, releaseLease, whileLeased, type Lease } from '../store/job-lease';
import { claimWhileCommitting, refreshNodes } from './node-cache';
import { applyPlan, EvalFinishedElsewhere, JobChanged } from './plan-apply';
import { quarantineEval } from './quarantine';
import { loadSnapshot, withFreshNodes, type LoadedSnapshot } from './snapshot';
import { unblockEvals } from './unblock';
import { keepWarmPlan, takeWarmPlan, type WarmPlan } from './warm-plan';
import { countBlockedEvaluation, countPlacements } from '../../observability/metrics';

/**
 * The worker loop for one evaluation (Nomad's worker): lease the job, snapshot, schedule, commit
 * the plan, and re-plan from fresh state what a conflict rejected, then record the outcome.
 *
 * Safe to run twice for the same evaluation (SQS delivers at least once): an evaluation that is
 * no longer open is acknowledged without work, and a run cut short leaves state from which the
 * next run places only what is still missing, because every decision is taken from a consistent
 * read of the job's allocations.
 *
 * A large plan is planned and committed in slices (WORKER_SLICE_PLACEMENTS placements each),
 * yielding to the event loop in between, and an evaluation still unfinished when its time budget
 * (WORKER_EVAL_BUDGET_MS after its snapshot, or the Lambda's remaining time) is spent is handed to the next
 * invocation (continueEval), which goes on from what is committed: no count holds a worker in
 * memory or time.
 */
const logger = serviceLogger('placement-worker');

/** Nomad fails an evaluation delivered this many times and retries it later. */
export const DELIVERY_LIMIT = 3;

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
  /**
   * Unix ms after which no further slice of a large plan is started (the Lambda's own limit): the
   * rest is handed to the next invocation. The configured budget (WORKER_EVAL_BUDGET_MS) applies
   * within it, counted from when the snapshot is read, so an invocation always spends its budget
   * placing however long the job's allocations take to read.
   */
  deadline?: number;
}

/** 'continued': the plan is partly committed and the evaluation was handed to the next invocation. */
export type ProcessOutcome = EvalOutcome | 'continued';

export async function processEvaluation(message: EvalMessage, delivery: Delivery = { receiveCount: 1 }): Promise<ProcessOutcome> {
  const deadline = delivery.deadline ?? Infinity;
  // A pending evaluation only changes when it is finished or handed on to the next invocation (whose
  // message carries the new copy), so the copy in a first delivery is good enough; a redelivered
  // one may predate a hand-off, and a blocked one is re-blocked with a new ModifyIndex between
  // unblocks, so those are read.
  const carried = delivery.receiveCount === 1 && message.Eval?.ID === message.EvalID && message.Eval.Status === 'pending' ? message.Eval : undefined;
  const evaluation = carried ?? (await readEval(message.Namespace, message.JobID, message.EvalID));
  if (!evaluation || !isOpenEval(evaluation.Status)) return 'ignored';
  // A delayed evaluation is sent again by the periodic duties when it is due.
  if (evaluation.Status === 'pending' && evalDueAt(evaluation) > Date.now()) return 'ignored';
  if (delivery.receiveCount > DELIVERY_LIMIT) {
    // A retry that keeps failing too is not retried again.
    if (evaluation.TriggeredBy === 'failed-follow-up') {
      await quarantineEval(evaluation, `evaluation reached delivery limit (${DELIVERY_LIMIT}) in its failed follow-up too`);
      return 'failed';
    }
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
    return await whileLeased(lease, () => schedule(evaluation, lease, held, deadline));
  } finally {
    if (!held.released) await releaseLease(lease);
  }
}

/** The plan this process kept for the evaluation at its last hand-off, if neither the job nor its deployment has changed since. */
async function resumeWarmPlan(evaluation: Evaluation): Promise<Pick<WarmPlan, 'loaded' | 'slices'> | undefined> {
  const warm = takeWarmPlan(evaluation.ID);
  if (!warm) return undefined;
  const kept = warm.deployment;
  const [record, deployment] = await Promise.all([
    readJob(evaluation.Namespace, evaluation.JobID),
    kept ? readDeployment({ Namespace: evaluation.Namespace, JobID: evaluation.JobID, ID: kept.id }) : undefined,
  ]);
  if (record?.job.ModifyIndex !== warm.jobModifyIndex) return undefined;
  if (kept && deployment?.ModifyIndex !== kept.modifyIndex) return undefined;
  // In place, as the slices plan from this snapshot: new allocations are stamped with this
  // invocation's time, and the deployment's counters are as read now.
  warm.loaded.snapshot.now = Date.now();
  warm.loaded.snapshot.deployment = deployment;
  // Its nodes are as the last invocation left them: what fits nowhere is checked on fresh ones.
  return { loaded: { ...warm.loaded, record, freshNodes: false }, slices: warm.slices };
}

/** Lets the API and other work in the same process run between two slices of a large plan. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function schedule(evaluation: Evaluation, lease: Lease, held: { released: boolean }, deadline: number): Promise<ProcessOutcome> {
  // Nodes where this evaluation's stops gave capacity back: blocked evaluations of other jobs may now place there.
  const freed = new Map<string, ChangedNode>();
  let freshNodes = false;
  const sliceSize = config().workerSlicePlacements;
  let stopAt: number | undefined;
  let lastIndex = 0;
  planning: for (let attempt = 1; ; attempt++) {
    let loaded: LoadedSnapshot;
    let slices: PlanSlices;
    let result: SchedulerResult;
    const warm = attempt === 1 ? await resumeWarmPlan(evaluation) : undefined;
    if (warm) {
      ({ loaded, slices } = warm);
      result = slices.next(sliceSize);
      if (Object.keys(result.failedTGAllocs).length > 0 && !loaded.freshNodes) {
        freshNodes = true;
        attempt = 0;
        continue planning;
      }
    } else {
      loaded = await loadSnapshot(evaluation.Namespace, evaluation.JobID, { freshNodes, nodeId: evaluation.NodeID });
      maybeFail('after-snapshot');
      // The node walk is seeded by the evaluation and its attempt: reproducible, and unrelated to other evaluations'.
      const options = () => ({ newId: randomUUID, algorithm: config().schedulerAlgorithm, random: seededRandom(`${evaluation.ID}/${attempt}`) });
      slices = planInSlices({ snapshot: loaded.snapshot, evaluation, options: options() });
      result = slices.next(sliceSize);
      if (Object.keys(result.failedTGAllocs).length > 0 && !loaded.freshNodes) {
        // Never conclude that something does not fit from a cached view of the nodes.
        loaded = await withFreshNodes(loaded);
        freshNodes = true;
        slices = planInSlices({ snapshot: loaded.snapshot, evaluation, options: options() });
        result = slices.next(sliceSize);
      }
    }
    const { snapshot } = loaded;
    stopAt ??= Math.min(deadline, Date.now() + config().workerEvalBudgetMs);
    // Slices after the first place under the deployment the first one may have created.
    let deployment = snapshot.deployment;
    const created = result.plan.deployment;
    // The ModifyIndex the deployment the plan places under had when this worker last read or wrote it.
    let deploymentIndex = deployment?.ModifyIndex;
    // One slice after another; each is committed before the next is planned.
    for (;;) {
      const { plan } = result;
      const last = result.deferredPlacements === 0;
      let settled =
        plan.placements.length + plan.stops.length + plan.inPlaceUpdates.length + plan.allocUpdates.length + plan.followupEvals.length === 0 &&
        !plan.deployment &&
        plan.deploymentUpdates.length === 0;
      let finished = false;
      const finish = settled || !last ? undefined : await planFinish(evaluation, result, {}, loaded.record);
      if (!settled) {
        try {
          const nodes = nodeIndex(snapshot.nodes);
          const applied = await applyPlan(plan, {
            job: snapshot.job,
            nodes,
            lease,
            deployment,
            now: snapshot.now,
            onCommitting: claimWhileCommitting,
            // The outcome rides in the plan's last transaction (only if nothing is rejected).
            finish,
          });
          finished = applied.finished;
          countPlacements(applied.placed.length);
          held.released = finished;
          if (applied.lastIndex) lastIndex = applied.lastIndex;
          const underId = (created ?? deployment)?.ID;
          if (underId && applied.deploymentIndexes.has(underId)) deploymentIndex = applied.deploymentIndexes.get(underId);
          maybeFail('after-commit');
          for (const stop of applied.stopped) {
            const node = stop.wasLive && nodes.get(stop.nodeId);
            if (node) freed.set(stop.nodeId, node.node);
          }
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
      if (!settled) break;
      if (last) {
        let outcome: EvalOutcome;
        if (finished && finish) {
          outcome = finish.outcome;
        } else {
          maybeFail('before-finish');
          outcome = await finishEval(evaluation, result, { record: loaded.record, lease });
          held.released = outcome !== 'ignored';
        }
        if ((outcome === 'complete' || outcome === 'blocked') && Object.keys(result.failedTGAllocs).length > 0) countBlockedEvaluation();
        if (freed.size > 0) await unblockEvals({ exceptJobId: evaluation.JobID, nodes: [...freed.values()] });
        return outcome;
      }
      // A slice committed whole: progress, so the plan attempts start over.
      attempt = 1;
      maybeFail('between-slices');
      if (Date.now() >= stopAt) {
        logger.info('evaluation continues in the next invocation', { evalId: evaluation.ID, deferred: result.deferredPlacements });
        if (freed.size > 0) await unblockEvals({ exceptJobId: evaluation.JobID, nodes: [...freed.values()] });
        const outcome = await continueEval(evaluation, result.queuedAllocations);
        const under = created ?? deployment;
        if (outcome === 'continued' && lastIndex > 0 && (!under || deploymentIndex !== undefined)) {
          keepWarmPlan({ evalId: evaluation.ID, jobModifyIndex: lastIndex, deployment: under && { id: under.ID, modifyIndex: deploymentIndex! }, loaded, slices });
        }
        return outcome;
      }
      await yieldToEventLoop();
      deployment = created ?? deployment;
      result = slices.next(sliceSize);
      if (Object.keys(result.failedTGAllocs).length > 0 && !loaded.freshNodes) {
        // As above, but what earlier slices committed must be read too: plan again from a fresh snapshot.
        freshNodes = true;
        attempt = 0;
        continue planning;
      }
    }
    if (attempt >= maxAttempts(snapshot.job?.Type)) {
      result = { ...result, failedTGAllocs: {} };
      const outcome = await finishEval(evaluation, result, { failed: `maximum attempts reached (${attempt})`, lease });
      held.released = outcome !== 'ignored';
      return outcome;
    }
  }
}
