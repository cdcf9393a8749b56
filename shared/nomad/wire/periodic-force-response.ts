import type { JobWriteOutcome } from '../structs/job-write-outcome';

/** Nomad's PeriodicForceResponse: the launched child's evaluation. */
export function periodicForceResponse(outcome: JobWriteOutcome) {
  return {
    EvalCreateIndex: outcome.evaluation?.CreateIndex ?? 0,
    EvalID: outcome.evaluation?.ID ?? '',
    Index: outcome.index,
  };
}
