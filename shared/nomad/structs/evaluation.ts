/** Nomad's Evaluation. Nomad omits empty fields from evaluations on the wire (wire/evaluation.ts). */
export type EvalStatus = 'pending' | 'blocked' | 'complete' | 'failed' | 'canceled';

export interface AllocMetric {
  NodesEvaluated: number;
  NodesFiltered: number;
  NodesInPool: number;
  NodesAvailable: Record<string, number>;
  ClassFiltered: Record<string, number> | null;
  ConstraintFiltered: Record<string, number> | null;
  NodesExhausted: number;
  ClassExhausted: Record<string, number> | null;
  DimensionExhausted: Record<string, number> | null;
  QuotaExhausted: string[] | null;
  ResourcesExhausted: Record<string, unknown> | null;
  Scores: Record<string, number> | null;
  ScoreMetaData: unknown[] | null;
  AllocationTime: number;
  CoalescedFailures: number;
}

export interface Evaluation {
  ID: string;
  Namespace: string;
  Priority: number;
  Type: string;
  TriggeredBy: string;
  JobID: string;
  JobModifyIndex?: number;
  NodeID?: string;
  NodeModifyIndex?: number;
  DeploymentID?: string;
  Status: EvalStatus;
  StatusDescription?: string;
  Wait?: number;
  WaitUntil?: string;
  NextEval?: string;
  PreviousEval?: string;
  BlockedEval?: string;
  RelatedEvals?: unknown[];
  FailedTGAllocs?: Record<string, AllocMetric>;
  ClassEligibility?: Record<string, boolean>;
  QuotaLimitReached?: string;
  EscapedComputedClass?: boolean;
  AnnotatePlan?: boolean;
  QueuedAllocations?: Record<string, number>;
  LeaderACL?: string;
  SnapshotIndex?: number;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

export function isOpenEval(status: EvalStatus): boolean {
  return status === 'pending' || status === 'blocked';
}
