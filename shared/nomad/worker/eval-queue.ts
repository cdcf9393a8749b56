import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../../aws/clients';
import { config } from '../../config';
import type { Evaluation } from '../structs/evaluation';

/**
 * Puts evaluations on the FIFO queue. One message group per job gives Nomad's broker guarantee
 * that a job has at most one evaluation in flight. The deduplication ID includes the evaluation's
 * ModifyIndex, so sending the same unchanged evaluation twice within SQS's five-minute window is
 * harmless, while an evaluation that changed (say, unblocked) goes out again.
 *
 * Evaluations are always written to DynamoDB (as pending) before they are sent; if the send is
 * lost, the periodic duties find them pending and send them again.
 */
const logger = new Logger({ serviceName: 'nomad-api' });

export interface EvalMessage {
  EvalID: string;
  Namespace: string;
  JobID: string;
  /**
   * The evaluation as it was sent, which saves the worker a read. It may be stale by the time it
   * arrives: every write the worker makes for it is conditioned on its ModifyIndex.
   */
  Eval?: Evaluation;
}

function messageGroupId(evaluation: Evaluation): string {
  const id = `${evaluation.Namespace}/${evaluation.JobID}`;
  return id.length <= 128 && /^[\x21-\x7e]+$/.test(id) ? id : createHash('sha256').update(id).digest('hex');
}

/**
 * `resend` marks a deliberate second send of an unchanged evaluation (the periodic sweep), which
 * must not be swallowed by deduplication of the first; the worker is idempotent either way.
 */
export async function enqueueEvals(evaluations: Evaluation[], resend?: string): Promise<void> {
  for (let start = 0; start < evaluations.length; start += 10) {
    const batch = evaluations.slice(start, start + 10);
    const result = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: config().evalQueueUrl,
        Entries: batch.map((evaluation, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({
            EvalID: evaluation.ID,
            Namespace: evaluation.Namespace,
            JobID: evaluation.JobID,
            Eval: evaluation,
          } satisfies EvalMessage),
          MessageGroupId: messageGroupId(evaluation),
          MessageDeduplicationId: `${evaluation.ID}-${evaluation.ModifyIndex}${resend ? `-${resend}` : ''}`,
        })),
      }),
    );
    if (result.Failed?.length) {
      throw new Error(`could not enqueue evaluations: ${result.Failed.map((failure) => failure.Message).join('; ')}`);
    }
  }
}

/**
 * Queues evaluations just written as pending. A send that fails is logged, not thrown: the write
 * that created them has committed, and the periodic sweep sends what stays pending.
 */
export async function queueNewEvals(evaluations: Evaluation[]): Promise<void> {
  if (evaluations.length === 0) return;
  await enqueueEvals(evaluations).catch((error) =>
    logger.warn('evaluations stored but not queued; the periodic sweep will queue them', { evalIds: evaluations.map((evaluation) => evaluation.ID), error }),
  );
}
