import { formatWarnings } from '../jobspec/validate';
import type { JobWriteOutcome } from '../structs/job-write-outcome';
import { writeQueryMeta } from './query-meta';

/** Nomad's JobRegisterResponse, which Job.Register, Revert, Scale and Evaluate all answer with. */
export function jobRegisterResponse(outcome: JobWriteOutcome) {
  return {
    EvalID: outcome.evaluation?.ID ?? '',
    EvalCreateIndex: outcome.evaluation?.CreateIndex ?? 0,
    JobModifyIndex: outcome.jobModifyIndex,
    Warnings: formatWarnings(outcome.warnings ?? []),
    ...writeQueryMeta(outcome.index),
  };
}
