import { randomUUID } from 'node:crypto';
import type { Evaluation } from '../../shared/nomad/structs/evaluation';

/** A pending evaluation as an older version stored it: only the fields it wrote, and `fields` on top. */
export function olderEval(jobId: string, fields: Record<string, unknown> = {}): Evaluation {
  return {
    ID: randomUUID(),
    Namespace: 'default',
    JobID: jobId,
    Priority: 50,
    Type: 'service',
    TriggeredBy: 'job-register',
    Status: 'pending',
    CreateIndex: 1,
    ModifyIndex: 1,
    CreateTime: 1,
    ModifyTime: 1,
    ...fields,
  } as Evaluation;
}
