// Lambda entry point of the HTTP API: API Gateway events in, the shared Hono app does the rest.
import { handle } from 'hono/aws-lambda';
import { app } from '../shared/http/app';

export const handler = handle(app);
