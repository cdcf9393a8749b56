// Lambda entry point of the scheduled duties (EventBridge, every minute; a timer locally).
import type { Context } from 'aws-lambda';
import { runPeriodicDuties } from '../shared/duties/duties';
import { withCorrelationId } from '../shared/observability/logger';
import { traced } from '../shared/observability/tracing';

export const handler = traced('periodic', async (_event?: unknown, context?: Pick<Context, 'awsRequestId'>): Promise<void> => {
  const run = () => runPeriodicDuties(new Date());
  await (context ? withCorrelationId(context.awsRequestId, run) : run());
});
