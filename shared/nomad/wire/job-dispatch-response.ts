import type { DispatchOutcome } from '../services/dispatch-job';

/** Nomad's JobDispatchResponse. */
export function jobDispatchResponse(outcome: DispatchOutcome) {
  return {
    Index: outcome.index,
    JobCreateIndex: outcome.jobCreateIndex,
    EvalCreateIndex: outcome.evaluation?.CreateIndex ?? 0,
    EvalID: outcome.evaluation?.ID ?? '',
    DispatchedJobID: outcome.childId,
  };
}
