import type { Context, Hono } from 'hono';
import { requireNode, resolveRequest } from '../acl/guard';
import { applyVariable, listVariablesFor, readVariableFor, renewLock, type ApplyOp, type VariableCaller } from '../services/variables';
import { workloadClaim } from '../services/workload-claim';
import type { VariableMetadata } from '../structs/variable';
import { variableWire } from '../wire/variable';
import { blockingQuery } from './blocking';
import { blockingPage, filterPredicate } from './collection-params';
import { badRequest, methodNotAllowed, notFound } from '../errors';
import { namespaceParam, perPageParam } from './params';
import { nomadJson, setIndex, setQueryMeta } from './respond';
import { variableBody } from './variable-body';

/**
 * Nomad's Variables API (command/agent/variable_endpoint.go): `GET /v1/vars` and
 * `GET|PUT|POST|DELETE /v1/var/:path` with `cas`, `lock-acquire`, `lock-renew` and `lock-release`.
 *
 * A task's template engine reads as its workload: with the agent's `node:write` token, its
 * `X-Nomad-Node-ID` and `X-Nomad-Node-Secret`, plus `X-Nomad-Alloc-ID` and `X-Nomad-Task` naming
 * a live allocation on that node and one of its tasks (see services/workload-claim.ts).
 */
async function callerOf(c: Context): Promise<VariableCaller> {
  const { acl } = await resolveRequest(c);
  const allocId = c.req.header('X-Nomad-Alloc-ID');
  if (!allocId) return { acl };
  await requireNode(c, 'write');
  const claim = await workloadClaim({
    nodeId: c.req.header('X-Nomad-Node-ID'),
    secret: c.req.header('X-Nomad-Node-Secret'),
    allocId,
    task: c.req.header('X-Nomad-Task'),
  });
  return { acl, claim };
}

/** The path after `/v1/var/`, decoded as Go's URL.Path is. */
function variablePath(c: Context): string {
  const raw = new URL(c.req.url).pathname.slice('/v1/var/'.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function requiredPath(c: Context): string {
  const path = variablePath(c);
  if (path === '') throw badRequest('missing variable path');
  return path;
}

const LOCK_OPERATIONS = ['lock-renew', 'lock-acquire', 'lock-release'] as const;

function lockOperation(c: Context): (typeof LOCK_OPERATIONS)[number] | undefined {
  const query = new URL(c.req.url).searchParams;
  const given = LOCK_OPERATIONS.filter((name) => query.has(name));
  if (given.length > 1) throw badRequest('multiple lock operations');
  return given[0];
}

/** strconv.ParseUint of `cas`, or undefined without one. */
function casParam(c: Context): number | undefined {
  const value = c.req.query('cas');
  if (!value) return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`can not parse cas: strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  if (BigInt(value) >= 2n ** 64n) throw badRequest(`can not parse cas: strconv.ParseUint: parsing ${JSON.stringify(value)}: value out of range`);
  return Number(value);
}

async function readOne(c: Context, path: string): Promise<Response> {
  const caller = await callerOf(c);
  const namespace = namespaceParam(c);
  const result = await blockingQuery(c, () => readVariableFor(caller, namespace, path));
  setQueryMeta(c, result.index);
  if (!result.body) throw notFound('variable not found');
  return nomadJson(c, variableWire(result.body));
}

async function write(c: Context, path: string): Promise<Response> {
  const operation = lockOperation(c);
  const cas = c.req.query('cas');
  if (cas && operation) throw badRequest("CAS can't be used with lock operations");
  const body = await variableBody(c);
  const namespace = body.Namespace || namespaceParam(c);
  if (operation === 'lock-renew') {
    return nomadJson(c, variableWire(await renewLock(await callerOf(c), namespaceParam(c), path, body.Lock?.ID)));
  }
  let op: ApplyOp;
  let checkIndex: number | undefined;
  if (operation) {
    op = operation;
  } else {
    if (!body.Items || Object.keys(body.Items).length === 0) throw badRequest('variable missing required Items object');
    checkIndex = casParam(c);
    op = checkIndex === undefined ? 'set' : 'cas';
  }
  const caller = await callerOf(c);
  const result = await applyVariable(caller, op, { namespace, path, items: body.Items, lock: body.Lock, checkIndex });
  if (result.conflict) {
    setIndex(c, result.conflictIndex ?? result.index);
    return c.body(JSON.stringify(variableWire(result.conflict)), 409, { 'Content-Type': 'application/json' });
  }
  setIndex(c, result.index);
  return nomadJson(c, result.output ? variableWire(result.output) : null);
}

async function remove(c: Context, path: string): Promise<Response> {
  const caller = await callerOf(c);
  const checkIndex = casParam(c);
  const op: ApplyOp = checkIndex === undefined ? 'delete' : 'delete-cas';
  const result = await applyVariable(caller, op, { namespace: namespaceParam(c), path, checkIndex });
  if (result.conflict) {
    setIndex(c, result.conflictIndex ?? result.index);
    return c.body(JSON.stringify(variableWire(result.conflict)), 409, { 'Content-Type': 'application/json' });
  }
  setIndex(c, result.index);
  return c.body(null, 204);
}

export function mountVariableRoutes(app: Hono): void {
  app.get('/v1/vars', async (c) => {
    const caller = await callerOf(c);
    const matches = filterPredicate<Record<string, unknown>>(c.req.query('filter'));
    // The filter reads the stub as Nomad shows it (the lock's durations as Go prints them).
    const keep = matches && ((meta: VariableMetadata) => matches(variableWire(meta)));
    const page = await blockingPage(c, () =>
      listVariablesFor(caller, {
        namespace: namespaceParam(c),
        prefix: c.req.query('prefix') ?? '',
        perPage: perPageParam(c),
        nextToken: c.req.query('next_token') || undefined,
        keep,
      }),
    );
    return nomadJson(c, page.items.map(variableWire));
  });
  app.all('/v1/vars', () => {
    throw methodNotAllowed();
  });

  app.get('/v1/var/*', (c) => readOne(c, requiredPath(c)));
  app.on(['PUT', 'POST'], '/v1/var/*', (c) => write(c, requiredPath(c)));
  app.delete('/v1/var/*', (c) => remove(c, requiredPath(c)));
  app.all('/v1/var/*', (c) => {
    requiredPath(c);
    throw badRequest('Invalid method');
  });
  app.all('/v1/var', () => {
    throw badRequest('missing variable path');
  });
}
