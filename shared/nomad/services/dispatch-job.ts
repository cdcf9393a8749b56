import { randomUUID } from 'node:crypto';
import { TransactionConflict, type TransactItem } from '../../storage/transact';
import { badRequest, notFound } from '../errors';
import { claimDispatchToken, readDispatchToken } from '../store/dispatch-tokens';
import { readJob } from '../store/jobs';
import type { Evaluation } from '../structs/evaluation';
import type { Job } from '../structs/job';
import { registerJob } from './register-job';

/**
 * Dispatching a parameterized job (Job.Dispatch): checks the payload and meta against the
 * parent's ParameterizedJob, then registers a child `<parent>/dispatch-<unix>-<8 hex>` that is
 * scheduled like any job. An idempotency token is claimed in the same transaction as the child,
 * so the same token always answers with the one child it created.
 */
const DISPATCH_PAYLOAD_SIZE_LIMIT = 16384;

export interface DispatchRequest {
  namespace: string;
  jobId: string;
  payload?: string;
  meta?: Record<string, string> | null;
  idPrefixTemplate?: string;
  priority?: number;
  idempotencyToken?: string;
}

/** A dispatch's outcome: the child (new, or the one an idempotency token already made) and its evaluation. */
export interface DispatchOutcome {
  childId: string;
  jobCreateIndex: number;
  /** None when the token's earlier child answers. */
  evaluation?: Evaluation;
  index: number;
}

function goList(keys: string[]): string {
  return `[${keys.join(' ')}]`;
}

/** Payload and meta checks, with Nomad's texts. Pure. */
export function checkDispatch(parent: Job, payload: Buffer, meta: Record<string, string>): void {
  const config = parent.ParameterizedJob!;
  if (payload.length > DISPATCH_PAYLOAD_SIZE_LIMIT) {
    throw badRequest(`Payload exceeds maximum size; ${payload.length} > ${DISPATCH_PAYLOAD_SIZE_LIMIT}`);
  }
  if (config.Payload === 'required' && payload.length === 0) throw badRequest('Payload is not provided but required by parameterized job');
  if (config.Payload === 'forbidden' && payload.length > 0) throw badRequest('Payload provided but forbidden by parameterized job');
  const allowed = new Set([...(config.MetaRequired ?? []), ...(config.MetaOptional ?? [])]);
  const unpermitted = Object.keys(meta).filter((key) => !allowed.has(key)).sort();
  if (unpermitted.length > 0) throw badRequest(`Dispatch request included unpermitted metadata keys: ${goList(unpermitted)}`);
  const missing = (config.MetaRequired ?? []).filter((key) => !(key in meta)).sort();
  if (missing.length > 0) throw badRequest(`Dispatch did not provide required meta keys: ${goList(missing)}`);
}

export function dispatchedJobId(parentId: string, idPrefixTemplate: string | undefined, now: number): string {
  const suffix = `${Math.floor(now / 1000)}-${randomUUID().slice(0, 8)}`;
  return idPrefixTemplate ? `${parentId}/dispatch-${idPrefixTemplate}-${suffix}` : `${parentId}/dispatch-${suffix}`;
}

async function previousDispatch(namespace: string, parentId: string, token: string): Promise<DispatchOutcome | undefined> {
  const claimed = await readDispatchToken(namespace, parentId, token);
  if (!claimed) return undefined;
  const child = await readJob(namespace, claimed.childId);
  return { childId: claimed.childId, jobCreateIndex: child?.job.CreateIndex ?? claimed.index, index: child?.job.ModifyIndex ?? claimed.index };
}

export async function dispatchJob(request: DispatchRequest): Promise<DispatchOutcome> {
  const record = await readJob(request.namespace, request.jobId);
  if (!record) throw notFound('parameterized job not found');
  const parent = record.job;
  if (!parent.ParameterizedJob || parent.Dispatched) throw badRequest(`Specified job "${parent.ID}" is not a parameterized job`);
  if (parent.Stop) throw badRequest(`Specified job "${parent.ID}" is stopped`);
  const payload = Buffer.from(request.payload ?? '', 'base64');
  const meta = request.meta ?? {};
  checkDispatch(parent, payload, meta);
  const token = request.idempotencyToken;
  if (token) {
    const earlier = await previousDispatch(request.namespace, parent.ID, token);
    if (earlier) return earlier;
  }
  const now = Date.now();
  const childId = dispatchedJobId(parent.ID, request.idPrefixTemplate, now);
  const child: Job = {
    ...structuredClone(parent),
    ID: childId,
    Name: childId,
    ParentID: parent.ID,
    Dispatched: true,
    DispatchIdempotencyToken: token ?? '',
    Meta: Object.keys({ ...parent.Meta, ...meta }).length > 0 ? { ...parent.Meta, ...meta } : null,
    Payload: payload.length > 0 ? payload.toString('base64') : null,
    Priority: request.priority || parent.Priority,
    Status: 'pending',
    StatusDescription: '',
    VersionTag: null,
  };
  const claimToken = (): TransactItem[] => (token ? [claimDispatchToken(request.namespace, parent.ID, token, childId)] : []);
  try {
    const result = await registerJob({
      job: child,
      namespace: request.namespace,
      enforceIndex: false,
      jobModifyIndex: 0,
      evalPriority: 0,
      preserveCounts: false,
      mustBeNew: true,
      now,
      extraItems: claimToken,
    });
    return { childId, jobCreateIndex: result.job.CreateIndex, evaluation: result.evaluation, index: result.index };
  } catch (error) {
    // A concurrent dispatch with the same token won: answer with its child.
    if (token && error instanceof TransactionConflict) {
      const earlier = await previousDispatch(request.namespace, parent.ID, token);
      if (earlier) return earlier;
    }
    throw error;
  }
}
