import { config } from '../../config';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { requireNamespace } from '../acl/guard';
import { badRequest, NomadError } from '../errors';
import { parseGoBool } from './params';
import { findAlloc, withJobs } from '../store/allocs';
import { isClientTerminal } from '../structs/allocation';
import type { LogType } from '../wire/client-protocol';
import { HEARTBEAT_FRAME, logFileName, logFrames } from '../wire/log-frames';
import { readLog, startOffset, type LogCursor } from '../store/read-logs';

/**
 * `GET /v1/client/fs/logs/:alloc_id?task=&type=stdout|stderr&origin=&offset=&follow=&plain=`,
 * served from the chunks agents ship to S3 rather than by the node itself. Without `follow` it
 * answers what is shipped so far; with it, it streams new chunks as they arrive (checking
 * about four times a second), with a heartbeat frame every second, until the task is dead and
 * its log read to the end, the caller goes away, or MAX_BLOCKING_WAIT_MS passes (on Lambda the
 * response is buffered and capped below API Gateway's 30 s: a follow there is a long poll, and
 * the caller continues from the last frame's Offset).
 */
const FOLLOW_POLL_MS = 250;
const HEARTBEAT_MS = 1_000;

function parseBool(c: Context, name: string): boolean {
  const value = c.req.query(name);
  if (value === undefined || value === '') return false;
  const parsed = parseGoBool(value);
  if (parsed !== undefined) return parsed;
  throw badRequest(`Failed to parse ${name} field to boolean: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

interface LogRequest {
  cursor: LogCursor;
  follow: boolean;
  plain: boolean;
  origin: 'start' | 'end';
  offset: number;
  namespace: string;
}

function parseLogRequest(c: Context): Omit<LogRequest, 'namespace'> {
  const allocId = c.req.param('alloc_id');
  if (!allocId) throw badRequest('must provide a valid alloc id');
  const task = c.req.query('task');
  if (!task) throw badRequest('must provide task name');
  const follow = parseBool(c, 'follow');
  const plain = parseBool(c, 'plain');
  const type = c.req.query('type');
  if (type !== 'stdout' && type !== 'stderr') throw badRequest('must provide log type (stdout/stderr)');
  const offsetText = c.req.query('offset');
  let offset = 0;
  if (offsetText) {
    if (!/^-?\d+$/.test(offsetText)) throw badRequest(`error parsing offset: strconv.ParseInt: parsing "${offsetText}": invalid syntax`);
    offset = Number(offsetText);
  }
  const origin = c.req.query('origin') || 'start';
  if (origin !== 'start' && origin !== 'end') throw badRequest('origin must be start or end');
  return { cursor: { allocId, task, type: type as LogType }, follow, plain, origin, offset };
}

/** True while the task may still write: not dead, and its allocation not terminal. */
async function taskMayWrite(allocId: string, task: string): Promise<boolean> {
  const stored = await findAlloc(allocId);
  if (!stored) return false;
  if (isClientTerminal(stored.alloc.ClientStatus)) return false;
  return stored.alloc.TaskStates?.[task]?.State !== 'dead';
}

export async function handleLogs(c: Context): Promise<Response> {
  const request = parseLogRequest(c);
  const { cursor } = request;
  const stored = await findAlloc(cursor.allocId);
  if (!stored) throw new NomadError(404, `Unknown allocation "${cursor.allocId}"`);
  await requireNamespace(c, stored.alloc.Namespace, 'read-logs', 'read-fs');
  const [alloc] = await withJobs([stored]);
  const group = alloc.Job?.TaskGroups.find((candidate) => candidate.Name === alloc.TaskGroup);
  if (!group?.Tasks.some((task) => task.Name === cursor.task)) {
    throw new NomadError(404, `task group ${JSON.stringify(alloc.TaskGroup)} does not have task with name ${JSON.stringify(cursor.task)}`);
  }
  const state = alloc.TaskStates?.[cursor.task];
  if (!state?.StartedAt || state.StartedAt.startsWith('0001-')) throw new NomadError(404, `task ${JSON.stringify(cursor.task)} not started yet. No logs available`);

  const file = logFileName(cursor.task, cursor.type);
  const encode = (data: Uint8Array, end: number): (string | Uint8Array)[] => (request.plain ? [data] : logFrames(data, end, file));
  const headers = { 'Content-Type': request.plain ? 'text/plain; charset=utf-8' : 'application/json' };
  let position = await startOffset(cursor, request.origin, request.offset);

  if (!request.follow) {
    const parts: (string | Uint8Array)[] = [];
    for await (const piece of readLog(cursor, position)) parts.push(...encode(piece.data, piece.end));
    const body = Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));
    return c.body(new Uint8Array(body), 200, headers);
  }

  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  const deadline = Date.now() + (config().maxBlockingWaitMs ?? 25_000);
  return stream(c, async (out) => {
    let lastBeat = Date.now();
    for (;;) {
      for await (const piece of readLog(cursor, position)) {
        for (const part of encode(piece.data, piece.end)) await out.write(part);
        position = piece.end;
      }
      if (out.aborted || Date.now() >= deadline) return;
      if (Date.now() - lastBeat >= HEARTBEAT_MS) {
        lastBeat = Date.now();
        if (!request.plain) await out.write(HEARTBEAT_FRAME);
        if (!(await taskMayWrite(cursor.allocId, cursor.task))) {
          // The agent ships a task's last chunk before it reports the task dead: one more read finishes it.
          for await (const piece of readLog(cursor, position)) for (const part of encode(piece.data, piece.end)) await out.write(part);
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    }
  });
}
