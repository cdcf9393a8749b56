import * as z from '../../util/zod';
import type { Evaluation } from '../structs/evaluation';

/**
 * The evaluation queue's message (SQS FIFO), sent by store/eval-queue.ts and read by
 * worker/eval-record.ts. `Eval` is the evaluation as it was sent, which saves the worker a read;
 * it may be stale by the time it arrives: every write the worker makes for it is conditioned on
 * its ModifyIndex. It is left out when it would not fit in a message (the worker then reads it).
 */
export const EvalMessageSchema = z.object({
  EvalID: z.string().min(1),
  Namespace: z.string().min(1),
  JobID: z.string().min(1),
  Eval: z
    .object({ ID: z.string(), Namespace: z.string(), JobID: z.string(), Status: z.string(), ModifyIndex: z.number(), TriggeredBy: z.string() })
    .passthrough()
    .optional(),
});

/** The message with its carried evaluation typed whole (the schema checks the fields the worker needs first). */
export type EvalMessage = Omit<z.infer<typeof EvalMessageSchema>, 'Eval'> & { Eval?: Evaluation };
