import type { Context, SQSRecord } from 'aws-lambda';
import { serviceLogger, withCorrelationId } from '../../observability/logger';
import type { Evaluation } from '../structs/evaluation';
import { EvalMessageSchema, type EvalMessage } from '../wire/eval-message';
import { DELIVERY_LIMIT, processEvaluation } from './process-eval';
import { quarantineEval } from './quarantine';
import { recordEvaluation } from '../../observability/metrics';
import { tracedSpan } from '../../observability/tracing';

/**
 * One SQS record of the evaluation queue. Throwing fails the record, which SQS redelivers; a
 * message that is not an evaluation message at all is logged and dropped rather than retried,
 * and one that keeps failing is quarantined.
 */
const logger = serviceLogger('placement-worker');

/** Time kept back from the Lambda's timeout for the slice in progress and the hand-off. */
const LAMBDA_MARGIN_MS = 15_000;

export async function handleEvalRecord(record: SQSRecord, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> {
  const started = Date.now();
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
  const data = message.data as EvalMessage;
  await withCorrelationId(data.EvalID, () =>
    tracedSpan('evaluation', { EvalID: data.EvalID, JobID: data.JobID }, () => processRecord(record, data, started, context)),
  );
}

async function processRecord(record: SQSRecord, data: EvalMessage, started: number, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> {
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
  let outcome;
  try {
    outcome = await processEvaluation(data, { receiveCount, deadline: deadline(context) });
  } catch (error) {
    if (receiveCount <= DELIVERY_LIMIT) throw error;
    // It failed on its last delivery before it could even be failed: quarantine it, or SQS moves
    // the message to the dead-letter queue and the sweep sends the still-pending evaluation again.
    const evaluation = data.Eval ?? ({ ID: data.EvalID, Namespace: data.Namespace, JobID: data.JobID } as Evaluation);
    const reason = `evaluation failed on every delivery: ${String((error as Error)?.message ?? error).slice(0, 200)}`;
    if (!(await quarantineEval(evaluation, reason))) throw error;
    outcome = 'failed';
  }
  logger.info('evaluation processed', { evalId: data.EvalID, jobId: data.JobID, outcome });
  const sentAt = Number(record.attributes?.SentTimestamp);
  recordEvaluation({ latencyMs: Date.now() - started, queueAgeMs: sentAt ? started - sentAt : undefined });
}

/** When to stop starting slices whatever the budget: well within the Lambda's own timeout. */
function deadline(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): number | undefined {
  return context ? Date.now() + context.getRemainingTimeInMillis() - LAMBDA_MARGIN_MS : undefined;
}
