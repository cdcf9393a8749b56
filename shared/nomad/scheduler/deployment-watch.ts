import type { Allocation } from '../structs/allocation';
import { isActiveDeployment, type Deployment } from '../structs/deployment';
import type { Job } from '../structs/job';
import { requiresPromotion } from './deployment-state';
import { rescheduleEligible } from './reschedule';

/**
 * What a deployment's allocation health asks for (Nomad's deployment watcher): fail it (and
 * maybe roll back) on an unhealthy allocation that cannot be replaced in time, let an unhealthy
 * one be rescheduled while the progress deadline still allows, promote canaries automatically
 * once all are healthy, and otherwise evaluate the job so the rollout moves on. Pure.
 */
export interface WatchDecision {
  fail: boolean;
  rollback: boolean;
  /** Unhealthy allocations the scheduler may now replace (DesiredTransition.Reschedule). */
  allowReschedule: string[];
  promote: boolean;
  evaluate: boolean;
}

export function watchDeployment(deployment: Deployment, allocs: Allocation[], job: Job | undefined, changed: Set<string>, now: number): WatchDecision {
  const decision: WatchDecision = { fail: false, rollback: false, allowReschedule: [], promote: false, evaluate: false };
  if (!isActiveDeployment(deployment.Status)) return decision;
  for (const alloc of allocs) {
    const state = deployment.TaskGroups[alloc.TaskGroup];
    if (!state) continue;
    const health = alloc.DeploymentStatus?.Healthy;
    if (health === false) {
      const policy = job?.TaskGroups.find((group) => group.Name === alloc.TaskGroup)?.ReschedulePolicy ?? null;
      const failEarly = state.ProgressDeadline === 0 || !rescheduleEligible(alloc, policy, now);
      if (failEarly) {
        decision.fail = true;
        if (state.AutoRevert) decision.rollback = true;
      } else if (!alloc.DesiredTransition?.Reschedule) {
        decision.allowReschedule.push(alloc.ID);
      }
    } else if (health === true && changed.has(alloc.ID)) {
      decision.evaluate = true;
    }
  }
  if (!decision.fail) decision.promote = shouldAutoPromote(deployment, allocs);
  return decision;
}

/** Every group with canaries promotes automatically and has all of them healthy. */
export function shouldAutoPromote(deployment: Deployment, allocs: Allocation[]): boolean {
  if (!requiresPromotion(deployment)) return false;
  const healthy = new Set(allocs.filter((alloc) => alloc.DeploymentStatus?.Healthy === true).map((alloc) => alloc.ID));
  for (const state of Object.values(deployment.TaskGroups)) {
    if (state.DesiredCanaries < 1) continue;
    const placed = state.PlacedCanaries ?? [];
    if (!state.AutoPromote || placed.length < state.DesiredCanaries) return false;
    if (placed.filter((id) => healthy.has(id)).length < state.DesiredCanaries) return false;
  }
  return true;
}

/** Groups past their progress deadline that are not done (Nomad's shouldFail on deadline). */
export function missedProgressDeadline(deployment: Deployment, allocs: Allocation[], job: Job | undefined, now: number): { fail: boolean; rollback: boolean } {
  if (!isActiveDeployment(deployment.Status) || deployment.Status === 'paused') return { fail: false, rollback: false };
  const healthyByGroup = new Map<string, number>();
  for (const alloc of allocs) {
    if (alloc.DesiredStatus !== 'run' || alloc.DeploymentStatus?.Healthy !== true) continue;
    healthyByGroup.set(alloc.TaskGroup, (healthyByGroup.get(alloc.TaskGroup) ?? 0) + 1);
  }
  let fail = false;
  let rollback = false;
  for (const [name, state] of Object.entries(deployment.TaskGroups)) {
    if (!state.RequireProgressBy || Date.parse(state.RequireProgressBy) > now) continue;
    const needsPromotion = state.DesiredCanaries > 0 && !state.Promoted;
    const done = needsPromotion ? state.HealthyAllocs >= state.DesiredCanaries : (healthyByGroup.get(name) ?? 0) >= state.DesiredTotal;
    // A deployment waiting for a manual promotion with healthy canaries is not late.
    if (done) continue;
    fail = true;
    if (job?.TaskGroups.find((group) => group.Name === name)?.Update?.AutoRevert) rollback = true;
  }
  return { fail, rollback };
}
