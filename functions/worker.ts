// Lambda entry point of the placement worker: an SQS batch of evaluation messages in, a
// partial-batch response out (records that failed are redelivered by SQS, other jobs' groups go on).
import type { SQSEvent, SQSBatchResponse, SQSRecord, Context } from 'aws-lambda';
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { handleEvalRecord } from '../shared/nomad/worker/eval-record';
import { flushMetrics } from '../shared/observability/metrics';
import { traced } from '../shared/observability/tracing';

export const handler = traced('worker', async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  // One processor per invocation: it keeps the batch's failures on itself, and the local worker
  // runs several invocations in one process at once (one shared processor let one invocation
  // report, or clear, another's failures, so a failed record could be deleted instead of retried).
  const processor = new SqsFifoPartialProcessorAsync();
  try {
    return await processPartialResponse(event, (record: SQSRecord) => handleEvalRecord(record, context), processor, {
      context,
      skipGroupOnError: true,
      throwOnFullBatchFailure: false,
    });
  } finally {
    flushMetrics('worker');
  }
});
