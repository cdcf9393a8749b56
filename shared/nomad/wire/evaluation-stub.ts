import type { Evaluation } from '../structs/evaluation';

/** Nomad's EvaluationStub (no omitempty), as `RelatedEvals` lists it; WaitUntil in RFC 3339. */
export function evaluationStub(evaluation: Evaluation) {
  return {
    ID: evaluation.ID,
    Namespace: evaluation.Namespace,
    Priority: evaluation.Priority,
    Type: evaluation.Type,
    TriggeredBy: evaluation.TriggeredBy,
    JobID: evaluation.JobID,
    NodeID: evaluation.NodeID ?? '',
    DeploymentID: evaluation.DeploymentID ?? '',
    Status: evaluation.Status,
    StatusDescription: evaluation.StatusDescription ?? '',
    WaitUntil: evaluation.WaitUntil || '0001-01-01T00:00:00Z',
    NextEval: evaluation.NextEval ?? '',
    PreviousEval: evaluation.PreviousEval ?? '',
    BlockedEval: evaluation.BlockedEval ?? '',
    CreateIndex: evaluation.CreateIndex,
    ModifyIndex: evaluation.ModifyIndex,
    CreateTime: evaluation.CreateTime,
    ModifyTime: evaluation.ModifyTime,
  };
}
