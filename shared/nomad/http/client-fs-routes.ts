import type { Context, Hono } from 'hono';
import { stream } from 'hono/streaming';
import type { FsStreamArgs, StreamPiece } from '../wire/client-rpc-protocol';
import { callNode, streamNode } from '../services/node-rpc';
import type { StoredAlloc } from '../store/allocs';
import { allocFor } from './client-alloc-routes';
import { badRequest } from '../errors';
import { parseGoBool } from './params';
import { nomadJson } from './respond';

/**
 * Nomad's allocation file system, read on the node that runs the allocation over its agent
 * channel: `/v1/client/fs/{ls,stat,cat,readat,stream}/:alloc_id`. Paths are confined to the
 * allocation directory by the agent. `stream` answers Nomad's JSON frames `{Offset, Data, File,
 * FileEvent}` (Data base64, empty fields left out, `{}` a heartbeat each idle second); `cat` and
 * `readat` the bytes. A follow ends when the caller goes away or at MAX_BLOCKING_WAIT_MS (on
 * Lambda a long poll: the caller continues from the last frame's Offset).
 */
const HEARTBEAT_MS = 1_000;

function allocIdParam(c: Context): string {
  const allocId = c.req.param('alloc_id');
  if (!allocId) throw badRequest('must provide a valid alloc id');
  return allocId;
}

function requiredPath(c: Context): string {
  const path = c.req.query('path');
  if (!path) throw badRequest('must provide a file name');
  return path;
}

function int64(text: string | undefined, what: string): number {
  if (text !== undefined && /^[+-]?\d+$/.test(text)) return Number(text);
  throw badRequest(`error parsing ${what}: strconv.ParseInt: parsing ${JSON.stringify(text ?? '')}: invalid syntax`);
}

/** Nomad sniffs untrusted file content and never lets it be served as HTML. */
function untrustedContentType(data: Buffer): string {
  for (const byte of data.subarray(0, 512)) {
    if (byte <= 0x08 || byte === 0x0b || (byte >= 0x0e && byte <= 0x1a) || (byte >= 0x1c && byte <= 0x1f)) return 'application/octet-stream';
  }
  return 'text/plain; charset=utf-8';
}

function frame(piece: StreamPiece): string {
  return JSON.stringify({ Offset: piece.Offset, ...(piece.Data ? { Data: piece.Data } : {}), ...(piece.File ? { File: piece.File } : {}), ...(piece.FileEvent ? { FileEvent: piece.FileEvent } : {}) });
}

function deadline(): number {
  return Date.now() + Number(process.env.MAX_BLOCKING_WAIT_MS ?? 25_000);
}

/** A stream read to its end (no follow): the bytes, or the frames, in one answer. */
async function readWhole(c: Context, stored: StoredAlloc, args: FsStreamArgs, framed: boolean): Promise<Response> {
  const opened = await streamNode(stored.alloc.NodeID, 'FileSystem.Stream', args, deadline(), c.req.raw.signal);
  const parts: Buffer[] = [];
  for await (const piece of opened.pieces) parts.push(framed ? Buffer.from(frame(piece)) : Buffer.from(piece.Data ?? '', 'base64'));
  const body = Buffer.concat(parts);
  return c.body(new Uint8Array(body), 200, { 'Content-Type': framed ? 'application/json' : untrustedContentType(body) });
}

export function mountClientFsRoutes(app: Hono): void {
  app.get('/v1/client/fs/ls/:alloc_id', async (c) => {
    const allocId = allocIdParam(c);
    const path = c.req.query('path') || '/';
    const { alloc } = await allocFor(c, allocId, 'read-fs');
    return nomadJson(c, await callNode(alloc.NodeID, 'FileSystem.List', { AllocID: alloc.ID, Path: path }));
  });

  app.get('/v1/client/fs/stat/:alloc_id', async (c) => {
    const allocId = allocIdParam(c);
    const path = requiredPath(c);
    const { alloc } = await allocFor(c, allocId, 'read-fs');
    return nomadJson(c, await callNode(alloc.NodeID, 'FileSystem.Stat', { AllocID: alloc.ID, Path: path }));
  });

  app.get('/v1/client/fs/cat/:alloc_id', async (c) => {
    const allocId = allocIdParam(c);
    const path = requiredPath(c);
    const stored = await allocFor(c, allocId, 'read-fs');
    return readWhole(c, stored, { AllocID: stored.alloc.ID, Path: path, Offset: 0, Origin: 'start', Limit: 0, Follow: false }, false);
  });

  app.get('/v1/client/fs/readat/:alloc_id', async (c) => {
    const allocId = allocIdParam(c);
    const path = requiredPath(c);
    const offset = int64(c.req.query('offset'), 'offset');
    const limitText = c.req.query('limit');
    const limit = limitText ? int64(limitText, 'limit') : 0;
    const stored = await allocFor(c, allocId, 'read-fs');
    return readWhole(c, stored, { AllocID: stored.alloc.ID, Path: path, Offset: offset, Origin: 'start', Limit: limit, Follow: false }, false);
  });

  app.get('/v1/client/fs/stream/:alloc_id', async (c) => {
    const allocId = allocIdParam(c);
    const path = requiredPath(c);
    const followText = c.req.query('follow');
    const follow = followText ? parseGoBool(followText) : true;
    if (follow === undefined) throw badRequest(`failed to parse follow field to boolean: strconv.ParseBool: parsing ${JSON.stringify(followText)}: invalid syntax`);
    const offsetText = c.req.query('offset');
    const offset = offsetText ? int64(offsetText, 'offset') : 0;
    const origin = c.req.query('origin') || 'start';
    if (origin !== 'start' && origin !== 'end') throw badRequest('origin must be start or end');
    const stored = await allocFor(c, allocId, 'read-fs');
    const args: FsStreamArgs = { AllocID: stored.alloc.ID, Path: path, Offset: offset, Origin: origin, Limit: 0, Follow: follow };
    if (!follow) return readWhole(c, stored, args, true);

    const abort = new AbortController();
    const opened = await streamNode(stored.alloc.NodeID, 'FileSystem.Stream', args, deadline(), abort.signal);
    c.header('Content-Type', 'application/json');
    return stream(c, async (out) => {
      out.onAbort(() => abort.abort());
      let lastWrite = Date.now();
      const beat = setInterval(() => {
        if (Date.now() - lastWrite < HEARTBEAT_MS || out.aborted) return;
        lastWrite = Date.now();
        void out.write('{}');
      }, HEARTBEAT_MS / 4);
      try {
        for await (const piece of opened.pieces) {
          lastWrite = Date.now();
          await out.write(frame(piece));
        }
      } finally {
        clearInterval(beat);
        await opened.cancel();
      }
    });
  });

  for (const op of ['ls', 'stat', 'cat', 'readat', 'stream']) {
    app.get(`/v1/client/fs/${op}/`, () => {
      throw badRequest('must provide a valid alloc id');
    });
  }
}
