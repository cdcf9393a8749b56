import type { Context } from 'hono';
import { config } from '../../config';
import { parseGoDuration } from '../../util/go-duration';
import { badRequest } from '../errors';
import { nomadJson, nomadJsonText, setQueryMeta } from './respond';

/**
 * Nomad's blocking queries: with `?index=N` the request waits until the data it reads has an
 * index above N, or until `?wait` (default 5m, at most 10m, plus up to wait/16 of jitter) runs out,
 * then answers with whatever is current. The store is re-read every BLOCKING_POLL_MS rather than
 * watched, because a Lambda has nothing to be woken by; `MAX_BLOCKING_WAIT` caps the wait below
 * API Gateway's 30 s integration timeout on AWS (clients simply ask again, as they do anyway).
 */
const DEFAULT_WAIT_MS = 5 * 60_000;
const MAX_WAIT_MS = 10 * 60_000;

export interface Indexed<T> {
  index: number;
  body: T;
}

function blockingParams(c: Context): { minIndex: number; waitMs: number } {
  const indexParam = c.req.query('index');
  let minIndex = 0;
  if (indexParam !== undefined && indexParam !== '') {
    if (!/^\d+$/.test(indexParam)) throw badRequest('Invalid index');
    minIndex = Number(indexParam);
  }
  let waitMs = DEFAULT_WAIT_MS;
  const waitParam = c.req.query('wait');
  if (waitParam !== undefined && waitParam !== '') {
    const parsed = parseGoDuration(waitParam);
    if (parsed === undefined || parsed < 0) throw badRequest('Invalid wait time');
    waitMs = Math.min(parsed, MAX_WAIT_MS);
  }
  waitMs += Math.random() * (waitMs / 16);
  const cap = config().maxBlockingWaitMs ?? Infinity;
  return { minIndex, waitMs: Math.min(waitMs, cap) };
}

export async function blockingQuery<T>(c: Context, run: () => Promise<Indexed<T>>): Promise<Indexed<T>> {
  const { minIndex, waitMs } = blockingParams(c);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const result = await run();
    if (minIndex === 0 || result.index > minIndex) return result;
    const remaining = deadline - Date.now();
    if (remaining <= 0 || c.req.raw.signal?.aborted) return result;
    await new Promise((resolve) => setTimeout(resolve, Math.min(config().blockingPollMs, remaining)));
  }
}

/** A read endpoint's whole answer: the blocking query, its index in the query meta headers, its body as JSON. */
export async function blockingJson<T>(c: Context, run: () => Promise<Indexed<T>>): Promise<Response> {
  const result = await blockingQuery(c, run);
  setQueryMeta(c, result.index);
  return nomadJson(c, result.body);
}

/** blockingJson for a body the run already wrote as JSON text. */
export async function blockingJsonText(c: Context, run: () => Promise<Indexed<string>>): Promise<Response> {
  const result = await blockingQuery(c, run);
  setQueryMeta(c, result.index);
  return nomadJsonText(c, result.body);
}
