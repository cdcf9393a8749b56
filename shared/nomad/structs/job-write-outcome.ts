import type { Evaluation } from './evaluation';

/** What a write to a job tells its caller: register, revert, scale, evaluate and deregister alike. */
export interface JobWriteOutcome {
  /** None for periodic and parameterized parents, a deregister of nothing, or a scale that only records an event. */
  evaluation?: Evaluation;
  jobModifyIndex: number;
  /** The register's warnings about the spec. */
  warnings?: string[];
  index: number;
}
