import { workerConcurrency } from '../../config';
import type { PlanSlices } from '../scheduler/generic-sched';
import type { LoadedSnapshot } from './snapshot';

/**
 * The rest of a plan handed to the next invocation, kept while this process stays warm (always
 * under `npm start`, usually on Lambda): the next invocation of the same evaluation goes on with
 * it instead of reading the job's allocations again, which for a large count costs more than
 * placing. It is used only if the job's ModifyIndex (moved by every change to its allocations,
 * evaluations or summary) is still the one this worker's last commit gave it, and, for a plan
 * under a deployment, only if the deployment's ModifyIndex is still the one this worker last wrote
 * or read: an operator's pause, promotion or failure moves the deployment but not the job. Anything
 * it does not see (nodes that changed) is caught by the commit's conditions, which send the
 * worker back to a fresh snapshot.
 */
export interface WarmPlan {
  evalId: string;
  jobModifyIndex: number;
  /** The deployment the plan places under, as this worker last left it. */
  deployment?: { id: string; modifyIndex: number };
  loaded: LoadedSnapshot;
  slices: PlanSlices;
}

/** One per evaluation handed on; as many as the worker runs at once, the oldest forgotten first. */
const kept = new Map<string, WarmPlan>();

export function keepWarmPlan(plan: WarmPlan): void {
  kept.delete(plan.evalId);
  kept.set(plan.evalId, plan);
  while (kept.size > workerConcurrency()) kept.delete(kept.keys().next().value!);
}

/** The kept plan of this evaluation, once (it is kept again at the next hand-off). */
export function takeWarmPlan(evalId: string): WarmPlan | undefined {
  const plan = kept.get(evalId);
  kept.delete(evalId);
  return plan;
}
