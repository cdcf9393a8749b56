// The cold-start baseline (cold-start.bench.ts): the least a Hono app on Lambda can be, answering
// the request the API is asked.
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';

const app = new Hono();
app.get('/v1/status/leader', (c) => c.json('127.0.0.1:4647'));
export const handler = handle(app);
