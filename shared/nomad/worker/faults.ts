import { config } from '../../config';

/**
 * Fault injection for crash tests: `WORKER_FAULTS="after-commit=0.5,before-finish=1"` makes the
 * worker throw at those points with that probability, as if the Lambda died there. Off unless set.
 * Points: after the lease is taken, after the snapshot, between two transactions of one plan
 * (part of it committed), after the whole plan committed, between two slices of a large plan,
 * after the evaluation was handed to the next invocation but before it was sent, and before the
 * evaluation is finished.
 */
export type FaultPoint = 'after-lease' | 'after-snapshot' | 'mid-plan' | 'after-commit' | 'between-slices' | 'mid-handoff' | 'before-finish';

class InjectedFault extends Error {}

function probability(point: FaultPoint): number {
  const spec = config().workerFaults;
  for (const entry of spec.split(',')) {
    const [name, value] = entry.split('=');
    if (name?.trim() === point) return Number(value ?? 1);
  }
  return 0;
}

export function maybeFail(point: FaultPoint): void {
  const chance = probability(point);
  if (chance > 0 && Math.random() < chance) throw new InjectedFault(`injected fault at ${point}`);
}
