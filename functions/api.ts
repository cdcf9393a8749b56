// Lambda entry point of the HTTP API: API Gateway events in, the shared Hono app does the rest.
import { handle } from 'hono/aws-lambda';
import type { Context } from 'aws-lambda';
import { app } from '../shared/http/app';
import { flushMetrics } from '../shared/observability/metrics';
import { traced } from '../shared/observability/tracing';

const serve = handle(app);

export const handler = traced('api', async (event: Parameters<typeof serve>[0], context: Context) => {
  try {
    return await serve(event, context);
  } finally {
    flushMetrics('api');
  }
});
