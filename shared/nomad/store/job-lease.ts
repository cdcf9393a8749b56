import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { isConditionFailure, type TransactItem } from '../../storage/transact';
import { jobPk, LEASE_SK } from './keys';

/**
 * At most one worker schedules a job at a time. SQS FIFO message groups already promise this,
 * except when a slow worker outlives its visibility timeout and the message is delivered again;
 * the lease closes that gap. Every plan commit checks the lease in its transaction, so a worker
 * that lost its lease cannot write. The lease is short and renewed while the worker runs, so a
 * worker that died frees the job quickly (well within the evaluation's delivery limit).
 */
const LEASE_MS = 20_000;
const RENEW_MS = 5_000;

export class LeaseHeld extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} is being scheduled by another worker`);
  }
}

export interface Lease {
  namespace: string;
  jobId: string;
  owner: string;
}

function leaseKey(lease: Lease) {
  return { PK: jobPk(lease.namespace, lease.jobId), SK: LEASE_SK };
}

/** The lease item, conditioned on this worker holding it. */
function heldLease(lease: Lease) {
  return {
    TableName: config().tableName,
    Key: leaseKey(lease),
    ConditionExpression: '#owner = :owner',
    ExpressionAttributeNames: { '#owner': 'Owner' } as Record<string, string>,
    ExpressionAttributeValues: { ':owner': lease.owner } as Record<string, unknown>,
  };
}

export async function acquireLease(lease: Lease, now: number): Promise<void> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: config().tableName,
        Item: { ...leaseKey(lease), Owner: lease.owner, Until: now + LEASE_MS },
        ConditionExpression: 'attribute_not_exists(PK) OR #until < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#until': 'Until', '#owner': 'Owner' },
        ExpressionAttributeValues: { ':now': now, ':owner': lease.owner },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new LeaseHeld(lease.jobId);
    throw error;
  }
}

/** Extends a lease this worker still holds; never re-creates one it gave back. */
async function renewLease(lease: Lease): Promise<void> {
  const held = heldLease(lease);
  await dynamo().send(
    new UpdateCommand({
      ...held,
      UpdateExpression: 'SET #until = :until',
      ExpressionAttributeNames: { ...held.ExpressionAttributeNames, '#until': 'Until' },
      ExpressionAttributeValues: { ...held.ExpressionAttributeValues, ':until': Date.now() + LEASE_MS },
    }),
  );
}

/** Keeps the lease while `work` runs; a renewal that fails (the lease was taken) is left to the commits to notice. */
export async function whileLeased<T>(lease: Lease, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    renewLease(lease).catch(() => undefined);
  }, RENEW_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function leaseCheck(lease: Lease): TransactItem {
  return { ConditionCheck: heldLease(lease) };
}

/** Releases the lease inside a transaction, with the same check as leaseCheck. */
export function leaseRelease(lease: Lease): TransactItem {
  return { Delete: heldLease(lease) };
}

export async function releaseLease(lease: Lease): Promise<void> {
  try {
    await dynamo().send(new DeleteCommand(heldLease(lease)));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
