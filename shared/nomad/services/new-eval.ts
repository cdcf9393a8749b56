import { randomUUID } from 'node:crypto';
import type { Evaluation } from '../structs/evaluation';

export interface NewEval {
  namespace: string;
  jobId: string;
  type: string;
  priority: number;
  triggeredBy: string;
  jobModifyIndex: number;
  index: number;
  /** Unix ms. */
  now: number;
  nodeId?: string;
  status?: 'pending' | 'blocked';
}

/** A fresh pending evaluation, stamped with the index of the write that creates it. */
export function newEval(spec: NewEval): Evaluation {
  const nanos = spec.now * 1_000_000;
  const evaluation: Evaluation = {
    ID: randomUUID(),
    Namespace: spec.namespace,
    Priority: spec.priority,
    Type: spec.type,
    TriggeredBy: spec.triggeredBy,
    JobID: spec.jobId,
    JobModifyIndex: spec.jobModifyIndex,
    Status: spec.status ?? 'pending',
    CreateIndex: spec.index,
    ModifyIndex: spec.index,
    CreateTime: nanos,
    ModifyTime: nanos,
  };
  if (spec.nodeId) evaluation.NodeID = spec.nodeId;
  return evaluation;
}
