import type { JobWriteOutcome } from '../structs/job-write-outcome';
import { writeQueryMeta } from './query-meta';

/** Nomad's JobDeregisterResponse. A job that was not there answers with every field zero. */
export function jobDeregisterResponse(outcome: JobWriteOutcome) {
  return {
    EvalID: outcome.evaluation?.ID ?? '',
    EvalCreateIndex: outcome.evaluation?.CreateIndex ?? 0,
    JobModifyIndex: outcome.jobModifyIndex,
    VolumeEvalID: '',
    VolumeEvalIndex: 0,
    ...writeQueryMeta(outcome.index),
  };
}
