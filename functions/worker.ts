// Lambda entry point of the placement worker: an SQS batch of evaluation messages in, a
// partial-batch response out (records that failed are redelivered by SQS, other jobs' groups go on).
import type { SQSEvent, SQSBatchResponse, SQSRecord, Context } from 'aws-lambda';
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { handleEvalRecord } from '../shared/nomad/worker/eval-record';
import { flushMetrics } from '../shared/observability/metrics';
import { traced } from '../shared/observability/tracing';

const processor = new SqsFifoPartialProcessorAsync();

export const handler = traced('worker', async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
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
