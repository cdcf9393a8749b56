import type { MiddlewareHandler } from 'hono';
import { jsonTooDeep } from '../util/json-depth';
import { BODY_TOO_LARGE, bodyTooDeep, edgeAnswer } from './dialect';
import { requestIdOf } from './request-id';

/**
 * Limits every request meets before any route runs, in each dialect's error format: a body over
 * 6 MB (what a Lambda invocation takes behind API Gateway) is 413, whether its Content-Length says
 * so or it only shows while being read (chunked); a JSON body nested deeper than
 * MAX_NESTING_DEPTH is 400. The body is read once here and handed on as bytes.
 */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

/**
 * Bodies that cap themselves: a stock runner's archive upload (GITLAB_ARTIFACTS_POST_LIMIT_BYTES)
 * and a git push (GITLAB_MAX_PUSH_SIZE_MB, refused with git's `remote:` answer).
 */
const SELF_LIMITED = /^\/api\/v4\/jobs\/[^/]+\/artifacts$|\.git\/git-receive-pack$/;

type Read = { bytes: Uint8Array } | { tooLarge: true };

async function readCapped(body: ReadableStream<Uint8Array>, limit: number): Promise<Read> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return { tooLarge: true };
    }
    chunks.push(value);
  }
  return { bytes: Buffer.concat(chunks, total) };
}

/** JSON bodies, whatever they are declared as (Nomad's clients declare none): those starting with `{` or `[`. */
function looksLikeJson(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return false;
}

export const edgeLimits: MiddlewareHandler = async (c, next) => {
  const raw = c.req.raw;
  if (raw.method === 'GET' || raw.method === 'HEAD') return next();
  if (raw.method === 'POST' && SELF_LIMITED.test(c.req.path)) return next();
  // Refused before the body is touched, so the server can drain it and the caller reads the answer.
  const declared = Number(raw.headers.get('content-length') ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) return edgeAnswer(c, BODY_TOO_LARGE, requestIdOf(c));
  // A declared length is what the body is (the HTTP parser stops there), so it is read whole,
  // without a stream; a chunked one is counted while it is read.
  const read = Number.isFinite(declared) ? { bytes: new Uint8Array(await raw.arrayBuffer()) } : raw.body ? await readCapped(raw.body, MAX_BODY_BYTES) : undefined;
  if (!read) return next();
  if ('tooLarge' in read) return edgeAnswer(c, BODY_TOO_LARGE, requestIdOf(c));
  const bracket = looksLikeJson(read.bytes) ? jsonTooDeep(read.bytes) : undefined;
  if (bracket) return edgeAnswer(c, bodyTooDeep(bracket), requestIdOf(c));
  // A new request from its parts, not from `raw`: copying a request copies its (spent) body stream too.
  c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: read.bytes as Uint8Array<ArrayBuffer>, signal: raw.signal });
  return next();
};
