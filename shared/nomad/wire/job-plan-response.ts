import { formatWarnings } from '../jobspec/validate';
import type { PlanOutcome } from '../services/plan-job';
import { evaluationWire } from './evaluation';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Nomad's JobPlanResponse; Go's zero time when the job launches nothing periodically, Diff only when asked for. */
export function jobPlanResponse(outcome: PlanOutcome) {
  const failed = Object.keys(outcome.failedTGAllocs).length > 0;
  return {
    Index: outcome.index,
    JobModifyIndex: outcome.index,
    NextPeriodicLaunch: outcome.nextLaunch ? outcome.nextLaunch.toISOString() : ZERO_TIME,
    Warnings: formatWarnings(outcome.warnings),
    ...(outcome.diff ? { Diff: outcome.diff } : {}),
    CreatedEvals: outcome.createdEvals.length > 0 ? outcome.createdEvals.map(evaluationWire) : null,
    FailedTGAllocs: failed ? outcome.failedTGAllocs : null,
    Annotations: { DesiredTGUpdates: outcome.desiredTGUpdates, PreemptedAllocs: null },
  };
}
