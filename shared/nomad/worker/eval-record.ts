import type { SQSRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from '../../util/zod';
import type { EvalMessage } from './eval-queue';
import { processEvaluation } from './process-eval';

/**
 * One SQS record of the evaluation queue. Throwing fails the record, which SQS redelivers; a
 * message that is not an evaluation message at all is logged and dropped rather than retried.
 */
const logger = new Logger({ serviceName: 'placement-worker' });

const EvalMessageSchema = z.object({
  EvalID: z.string().min(1),
  Namespace: z.string().min(1),
  JobID: z.string().min(1),
  Eval: z
    .object({ ID: z.string(), Namespace: z.string(), JobID: z.string(), Status: z.string(), ModifyIndex: z.number(), TriggeredBy: z.string() })
    .passthrough()
    .optional(),
});

export async function handleEvalRecord(record: SQSRecord): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const message = EvalMessageSchema.safeParse(body);
  if (!message.success) {
    logger.error('dropping a message that is not an evaluation', { messageId: record.messageId, body: record.body });
    return;
  }
  const outcome = await processEvaluation(message.data as EvalMessage, { receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1) });
  logger.info('evaluation processed', { evalId: message.data.EvalID, jobId: message.data.JobID, outcome });
}
