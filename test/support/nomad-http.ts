import { serve, type ServerType } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { handler as worker } from '../../functions/worker';
import { freePort } from '../../infra/local/stand-ins';
import { SqsPoller } from '../../infra/local/sqs-poller';
import { app } from '../../shared/http/app';
import { readResponse, requestInit, type ApiResponse } from './nomad';

/**
 * The API over real HTTP, for tests with agents or a whole local stack: a server on a free port
 * (the Hono app under @hono/node-server, with WebSockets) and the worker fed from the queue, as
 * `npm start` runs them; calls by URL; waiting for a state to be reached.
 */
export interface ApiServer {
  url: string;
  stop(): Promise<void>;
}

export async function startApiServer(workerName: string): Promise<ApiServer> {
  const port = await freePort();
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port, hostname: '127.0.0.1', websocket: { server: new WebSocketServer({ noServer: true }) } }, () => resolve(started));
    started.once('error', reject);
  });
  const poller = new SqsPoller({ queueUrl: process.env.EVAL_QUEUE_URL!, handler: worker, functionName: workerName });
  poller.start();
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await poller.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  };
}

/** `api()` against a server by URL. */
export async function callUrl<T = any>(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  return readResponse(await fetch(`${url}${path}`, requestInit(method, body, headers)));
}

/**
 * Reads until `done` holds, and returns the last value read. It stops waiting once what it reads
 * has not changed for `timeoutMs`: a change (an allocation placed, a status moved) is the stack's
 * own sign that it is getting there, however slowly a loaded machine runs it, and starts the
 * deadline again.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  let deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    const seen = JSON.stringify((value as { body?: unknown })?.body ?? value);
    if (seen !== last) {
      last = seen;
      deadline = Date.now() + timeoutMs;
    } else if (Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
