/**
 * Fault injection for crash tests: `WORKER_FAULTS="after-commit=0.5,before-finish=1"` makes the
 * worker throw at those points with that probability, as if the Lambda died there. Off unless set.
 */
export type FaultPoint = 'after-snapshot' | 'after-commit' | 'before-finish';

export class InjectedFault extends Error {}

function probability(point: FaultPoint): number {
  const spec = process.env.WORKER_FAULTS ?? '';
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
