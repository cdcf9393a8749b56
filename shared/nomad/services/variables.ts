import { randomUUID } from 'node:crypto';
import type { Acl, WorkloadClaim } from '../acl/acl';
import { permissionDenied } from '../acl/guard';
import { NomadError, badRequest, conflict, notFound } from '../errors';
import { nextIndex } from '../../storage/index-clock';
import {
  canonicalLock,
  lockedVariableProblem,
  lockHeld,
  lockRenewable,
  pathProblem,
  multierror,
  variableProblem,
  type HeldLock,
  type VariableDecrypted,
  type VariableItems,
  type VariableLock,
  type VariableMetadata,
} from '../structs/variable';
import { deleteVariable, readVariable, renewVariableLock, variablesIndex, walkVariables, writeVariable, type StoredVariable } from '../store/variables';
import { openItems, sealItems } from './variable-keyring';

/**
 * Nomad's Variables endpoint (nomad/variables_endpoint.go and the state store's variable
 * transactions): ACL checks per path, validation, check-and-set, locks, and the answers with
 * Nomad's conflict bodies. The decision is taken on a consistent read and written on condition
 * that the variable is still as read; a writer that lost the race decides again.
 */
export interface VariableCaller {
  acl: Acl;
  /** A workload's identity (see workloadClaim): read and list on its own job's paths. */
  claim?: WorkloadClaim;
}

export type ApplyOp = 'set' | 'cas' | 'delete' | 'delete-cas' | 'lock-acquire' | 'lock-release';

export interface ApplyRequest {
  namespace: string;
  path: string;
  items?: VariableItems;
  /** The lock as sent; TTLMs/LockDelayMs are 0 when not given. */
  lock?: VariableLock;
  /** The `cas` index, for `cas` and `delete-cas`. */
  checkIndex?: number;
}

export interface ApplyResult {
  index: number;
  /** The variable written (lock shown to its holder and to management), null for a no-op, undefined for a delete. */
  output?: VariableDecrypted | null;
  /** Nomad's 409 body: the variable in the way (without items if the caller may not read it). */
  conflict?: VariableDecrypted;
  /** The index header of a conflict: the conflicting ModifyIndex for sets and deletes, the write index for lock operations. */
  conflictIndex?: number;
}

const MAX_ATTEMPTS = 6;

function hasPermission(caller: VariableCaller, namespace: string, path: string, capability: string, withClaim = false): boolean {
  return caller.acl.allowVariable(namespace, path, capability, withClaim ? caller.claim : undefined);
}

function zeroVariable(namespace: string, path: string, lock?: VariableLock): VariableDecrypted & { zero: true } {
  return { Namespace: namespace, Path: path, ...(lock ? { Lock: lock } : {}), CreateIndex: 0, CreateTime: 0, ModifyIndex: 0, ModifyTime: 0, zero: true };
}

/** A stored lock past its TTL and delay is gone, as Nomad's lock timer would have removed it. */
function liveLock(stored: StoredVariable | undefined, now: number): HeldLock | undefined {
  return stored?.lock && lockHeld(stored.lock, now) ? stored.lock : undefined;
}

function lockedAgainst(stored: StoredVariable | undefined, request: ApplyRequest, now: number): boolean {
  const lock = liveLock(stored, now);
  return !!lock && request.lock?.ID !== lock.ID;
}

type Decision =
  | { kind: 'write'; variable: StoredVariable; expected: number | undefined; items: VariableItems | undefined }
  | { kind: 'delete'; expected: number }
  | { kind: 'ok' }
  | { kind: 'conflict'; with: StoredVariable | (VariableDecrypted & { zero: true }) };

async function decide(op: ApplyOp, request: ApplyRequest, stored: StoredVariable | undefined, now: number, index: number): Promise<Decision> {
  const { namespace, path } = request;
  const nowNs = now * 1e6;
  const written = async (items: VariableItems | undefined, lock: HeldLock | undefined): Promise<Decision> => ({
    kind: 'write',
    expected: stored?.meta.ModifyIndex,
    items,
    variable: {
      meta: {
        Namespace: namespace,
        Path: path,
        ...(lock ? { Lock: { ID: lock.ID, TTLMs: lock.TTLMs, LockDelayMs: lock.LockDelayMs } } : {}),
        CreateIndex: stored?.meta.CreateIndex ?? index,
        CreateTime: stored?.meta.CreateTime ?? nowNs,
        ModifyIndex: index,
        ModifyTime: nowNs,
      },
      lock,
      sealed: await sealItems(items ?? {}, namespace, path),
    },
  });
  const set = (): Promise<Decision> | Decision =>
    lockedAgainst(stored, request, now) ? { kind: 'conflict', with: zeroVariable(namespace, path) } : written(request.items, liveLock(stored, now));
  const remove = (): Decision => {
    if (!stored) return { kind: 'ok' };
    if (lockedAgainst(stored, request, now)) return { kind: 'conflict', with: zeroVariable(namespace, path) };
    return { kind: 'delete', expected: stored.meta.ModifyIndex };
  };
  switch (op) {
    case 'cas':
      if (request.checkIndex === 0 && stored) return { kind: 'conflict', with: stored };
      if (request.checkIndex !== 0 && !stored) return { kind: 'conflict', with: zeroVariable(namespace, path) };
      if (stored && stored.meta.ModifyIndex !== request.checkIndex) return { kind: 'conflict', with: stored };
      return set();
    case 'set':
      return set();
    case 'delete-cas':
      if (request.checkIndex === 0 && !stored) return { kind: 'ok' };
      if (request.checkIndex !== 0 && !stored) return { kind: 'conflict', with: zeroVariable(namespace, path) };
      if (stored!.meta.ModifyIndex !== request.checkIndex) return { kind: 'conflict', with: stored! };
      return remove();
    case 'delete':
      return remove();
    case 'lock-acquire': {
      if (lockedAgainst(stored, request, now)) return { kind: 'conflict', with: zeroVariable(namespace, path) };
      const lock = request.lock!;
      return written(request.items, { ...lock, expiresAt: now + lock.TTLMs });
    }
    case 'lock-release': {
      if (!stored) throw notFound("variable doesn't exist");
      const lock = liveLock(stored, now);
      if (!lock) throw conflict("variable doesn't hold a lock");
      if (request.lock?.ID !== lock.ID) return { kind: 'conflict', with: zeroVariable(namespace, path, { ID: '', TTLMs: 0, LockDelayMs: 0 }) };
      // Releasing keeps the items: the variable is rewritten as it was, without its lock.
      const meta = { ...stored.meta, ModifyIndex: index, ModifyTime: nowNs };
      delete meta.Lock;
      return { kind: 'write', expected: stored.meta.ModifyIndex, items: undefined, variable: { meta, sealed: stored.sealed } };
    }
  }
}

/** canonicalizeAndValidate: defaults, and Nomad's 400s, before anything is read. */
function validate(op: ApplyOp, request: ApplyRequest): ApplyRequest {
  switch (op) {
    case 'lock-acquire': {
      const locked = { ...request, lock: canonicalLock(request.lock, randomUUID) };
      const problem = lockedVariableProblem({ ...variableOf(locked), Lock: locked.lock });
      if (problem) throw badRequest(problem);
      return locked;
    }
    case 'set':
    case 'cas': {
      if (request.lock && (request.lock.TTLMs !== 0 || request.lock.LockDelayMs !== 0)) throw badRequest('variable should not contain lock definition');
      const canonical = request.lock ? { ...request, lock: canonicalLock(request.lock, randomUUID) } : request;
      const problem = variableProblem(variableOf(canonical));
      if (problem) throw badRequest(problem);
      return canonical;
    }
    case 'lock-release': {
      if (!request.lock?.ID) throw badRequest('missing lock information');
      if (request.items !== undefined) throw badRequest("lock release operation doesn't take variable items");
      const problem = pathProblem(request.path);
      if (problem) throw badRequest(problem);
      return request;
    }
    default:
      return request;
  }
}

function variableOf(request: ApplyRequest): VariableDecrypted {
  return {
    Namespace: request.namespace,
    Path: request.path,
    ...(request.lock ? { Lock: request.lock } : {}),
    Items: request.items,
    CreateIndex: 0,
    CreateTime: 0,
    ModifyIndex: 0,
    ModifyTime: 0,
  };
}

/** What a caller is shown of a variable: the lock only to its holder and to management. */
function shown(variable: VariableDecrypted, withLock: boolean): VariableDecrypted {
  if (withLock || !variable.Lock) return variable;
  const { Lock: _lock, ...rest } = variable;
  return rest;
}

async function conflictBody(caller: VariableCaller, request: ApplyRequest, found: StoredVariable | (VariableDecrypted & { zero: true })): Promise<VariableDecrypted> {
  if ('zero' in found) {
    const { zero: _zero, ...zero } = found;
    return zero;
  }
  if (!hasPermission(caller, request.namespace, request.path, 'read')) return found.meta;
  return { ...found.meta, Items: await openItems(found.sealed, found.meta.Namespace, found.meta.Path) };
}

export async function applyVariable(caller: VariableCaller, op: ApplyOp, raw: ApplyRequest): Promise<ApplyResult> {
  const capability = op === 'delete' || op === 'delete-cas' ? 'destroy' : 'write';
  if (!hasPermission(caller, raw.namespace, raw.path, capability)) throw permissionDenied();
  const request = validate(op, raw);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await readVariable(request.namespace, request.path);
    const now = Date.now();
    const index = nextIndex();
    const decision = await decide(op, request, stored, now, index);
    switch (decision.kind) {
      case 'ok':
        return { index, output: undefined };
      case 'conflict': {
        const body = await conflictBody(caller, request, decision.with);
        const lockOp = op === 'lock-acquire' || op === 'lock-release';
        return { index, conflict: body, conflictIndex: lockOp ? index : body.ModifyIndex };
      }
      case 'delete':
        if (await deleteVariable(request.namespace, request.path, decision.expected, index)) return { index };
        break;
      case 'write': {
        if (!(await writeVariable(decision.variable, decision.expected))) break;
        const owner = !!request.lock && decision.variable.meta.Lock?.ID === request.lock.ID;
        return { index, output: shown({ ...decision.variable.meta, Items: decision.items }, owner || caller.acl.management) };
      }
    }
  }
  throw new NomadError(409, 'cas error: the variable kept changing while it was written');
}

/** `GET /v1/var/:path`: the variable and its index, or undefined with the variables' index. */
export async function readVariableFor(caller: VariableCaller, namespace: string, path: string): Promise<{ index: number; body: VariableDecrypted | undefined }> {
  if (!hasPermission(caller, namespace, path, 'read', true)) throw permissionDenied();
  const stored = await readVariable(namespace, path);
  if (!stored) return { index: Math.max(await variablesIndex(), 1), body: undefined };
  const meta = { ...stored.meta };
  if (!liveLock(stored, Date.now())) delete meta.Lock;
  const items = await openItems(stored.sealed, namespace, path);
  return { index: stored.meta.ModifyIndex, body: shown({ ...meta, Items: items }, caller.acl.management) };
}

export interface VariablePage {
  index: number;
  items: VariableMetadata[];
  nextToken?: string;
}

/**
 * `GET /v1/vars`: metadata stubs in (namespace, path) order that the caller may `list`, paged
 * with Nomad's `<namespace>.<path>` tokens (a token names the first variable of the next page).
 */
export async function listVariablesFor(
  caller: VariableCaller,
  options: { namespace: string; prefix: string; perPage: number; nextToken?: string; keep?: (stub: VariableMetadata) => boolean },
): Promise<VariablePage> {
  const { namespace, prefix, perPage, nextToken, keep } = options;
  const dot = nextToken ? nextToken.indexOf('.') : -1;
  const from = nextToken && dot > 0 ? { namespace: nextToken.slice(0, dot), path: nextToken.slice(dot + 1) } : undefined;
  const index = Math.max(await variablesIndex(), 1);
  const items: VariableMetadata[] = [];
  let next: string | undefined;
  const now = Date.now();
  const walk = walkVariables({ namespace: namespace === '*' ? undefined : namespace, prefix, from, pageSize: perPage > 0 ? Math.min(perPage + 1, 100) : 100 });
  for await (const stored of walk) {
    const { Namespace, Path } = stored.meta;
    const token = `${Namespace}.${Path}`;
    if (nextToken && token < nextToken) continue;
    if (!hasPermission(caller, Namespace, Path, 'list', true)) continue;
    const meta = { ...stored.meta };
    if (!liveLock(stored, now)) delete meta.Lock;
    const stub = shown(meta, caller.acl.management);
    if (keep && !keep(stub)) continue;
    if (perPage > 0 && items.length === perPage) {
      next = token;
      break;
    }
    items.push(stub);
  }
  return { index, items, nextToken: next };
}

/** `PUT /v1/var/:path?lock-renew`: the holder moves its TTL on; the variable's metadata answers. */
export async function renewLock(caller: VariableCaller, namespace: string, path: string, lockId: string | undefined): Promise<VariableMetadata> {
  if (!hasPermission(caller, namespace, path, 'write')) throw permissionDenied();
  if (!lockId) throw badRequest(multierror(['missing lock ID']));
  const stored = await readVariable(namespace, path);
  if (!stored) throw notFound("variable doesn't exist");
  const now = Date.now();
  const lock = liveLock(stored, now);
  if (!lock) throw conflict("variable doesn't hold a lock");
  if (lock.ID !== lockId || !lockRenewable(lock, now)) throw conflict('attempting to modify locked variable');
  const renewed = await renewVariableLock(namespace, path, lockId, now, now + lock.TTLMs);
  if (!renewed) throw conflict('attempting to modify locked variable');
  return renewed.meta;
}
