import { randomUUID } from 'node:crypto';
import { jobDiff, type JobDiff } from '../jobspec/diff';
import { annotatePlanDiff } from '../jobspec/plan-annotations';
import { specChanged } from '../jobspec/spec-changed';
import { nextLaunch } from '../periodic/cron';
import { computePlan } from '../scheduler/generic-sched';
import type { SchedulerResult } from '../scheduler/types';
import type { Evaluation } from '../structs/evaluation';
import { isParentJob, type Job } from '../structs/job';
import { loadSnapshot } from '../worker/snapshot';
import { checkNamespaceExists, prepareJob } from './register-job';

/**
 * `POST /v1/job/:id/plan`: a dry run of the real scheduler. The submitted job is canonicalised
 * and validated as a register would, put in place of the stored job in a snapshot of the current
 * state, and scheduled by an `AnnotatePlan` evaluation; the plan is reported, never applied, and
 * nothing is written.
 */

/** What the dry run found: the evaluations it would create, what it could not place, what it would change. */
export interface PlanOutcome {
  /** The stored job's JobModifyIndex (0 for a new job), for a check-and-set register after. */
  index: number;
  nextLaunch?: Date;
  warnings: string[];
  diff?: JobDiff;
  createdEvals: Evaluation[];
  failedTGAllocs: SchedulerResult['failedTGAllocs'];
  desiredTGUpdates: SchedulerResult['desiredTGUpdates'];
}

export interface PlanRequest {
  job: unknown;
  namespace: string;
  diff: boolean;
}

export async function planJob(request: PlanRequest): Promise<PlanOutcome> {
  const { job: submitted, warnings } = prepareJob(request.job, request.namespace);
  await checkNamespaceExists(submitted.ID, submitted.Namespace);
  const { snapshot, record } = await loadSnapshot(submitted.Namespace, submitted.ID);
  const existing = record?.job;
  const now = Date.now();
  // As the register would store it: a new version at a new index when the spec changed.
  const planned: Job = structuredClone(submitted);
  const changed = specChanged(existing, planned);
  const draftIndex = Math.max(existing?.ModifyIndex ?? 0, snapshot.allocs.reduce((max, stored) => Math.max(max, stored.alloc.ModifyIndex), 0)) + 1;
  Object.assign(planned, {
    Version: existing ? existing.Version + (changed ? 1 : 0) : 0,
    CreateIndex: existing?.CreateIndex ?? draftIndex,
    JobModifyIndex: changed ? draftIndex : existing!.JobModifyIndex,
    ModifyIndex: changed ? draftIndex : existing!.ModifyIndex,
    SubmitTime: now * 1_000_000,
  });
  const nanos = now * 1_000_000;
  const evaluation: Evaluation = {
    ID: randomUUID(),
    Namespace: planned.Namespace,
    Priority: planned.Priority,
    Type: planned.Type,
    TriggeredBy: 'job-register',
    JobID: planned.ID,
    JobModifyIndex: planned.JobModifyIndex,
    Status: 'pending',
    AnnotatePlan: true,
    CreateIndex: draftIndex,
    ModifyIndex: draftIndex,
    CreateTime: nanos,
    ModifyTime: nanos,
  };
  // Parents are templates: the scheduler places nothing for them.
  const scheduled = isParentJob(planned) ? { ...planned, Stop: true } : planned;
  const result = computePlan({
    snapshot: { ...snapshot, job: scheduled, versions: { ...snapshot.versions, [planned.Version]: scheduled } },
    evaluation,
    options: { newId: randomUUID },
  });

  const createdEvals: Evaluation[] = [];
  if (Object.keys(result.failedTGAllocs).length > 0) {
    createdEvals.push({
      ...evaluation,
      ID: randomUUID(),
      TriggeredBy: 'queued-allocs',
      Status: 'blocked',
      StatusDescription: 'created to place remaining allocations',
      PreviousEval: evaluation.ID,
      AnnotatePlan: false,
      ClassEligibility: {},
    });
  }
  const followups = (result.plan as { followupEvals?: Evaluation[] }).followupEvals ?? [];
  createdEvals.push(...followups);

  let diff: JobDiff | undefined;
  if (request.diff) {
    diff = jobDiff(existing, planned);
    annotatePlanDiff(diff, result.desiredTGUpdates, existing, planned);
  }
  const next = planned.Periodic && planned.Periodic.Enabled ? nextLaunch(planned.Periodic, new Date(now)) : undefined;
  return {
    index: existing?.JobModifyIndex ?? 0,
    nextLaunch: next ?? undefined,
    warnings,
    diff,
    createdEvals,
    failedTGAllocs: result.failedTGAllocs,
    desiredTGUpdates: result.desiredTGUpdates,
  };
}
