import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import type { TransactItem } from '../../storage/transact';
import { pad } from './keys';

/**
 * When a job's artifacts expire, kept as one small item per job that sits in a sparse index by
 * due time, so the sweeper reads only what is due. It is written in the same transaction as the
 * job's artifact records (upload, keep, delete, erase, bulk expiry), so the two never disagree.
 *
 *   PK `GLARTIFACTEXPIRY#<job id>`  SK `EXPIRY`
 *   GSI2 `GLARTIFACTS#expiring` / `<expire at, padded>#<job id, padded>`
 */
const EXPIRING_INDEX = 'GLARTIFACTS#expiring';

const expiryKey = (jobId: number) => ({ PK: `GLARTIFACTEXPIRY#${jobId}`, SK: 'EXPIRY' });

export interface ExpiryEntry {
  jobId: number;
  expireAt: number;
}

export function putExpiry(jobId: number, expireAt: number): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: { ...expiryKey(jobId), GSI2PK: EXPIRING_INDEX, GSI2SK: `${pad(expireAt, 15)}#${pad(jobId)}`, jobId, expireAt },
    },
  };
}

export function deleteExpiry(jobId: number): TransactItem {
  return { Delete: { TableName: config().tableName, Key: expiryKey(jobId) } };
}

/** Deletes the entry only if it still says `expireAt` (nobody moved it since it was read). */
export function deleteExpiryIfUnchanged(entry: ExpiryEntry): TransactItem {
  return {
    Delete: {
      TableName: config().tableName,
      Key: expiryKey(entry.jobId),
      ConditionExpression: 'expireAt = :seen',
      ExpressionAttributeValues: { ':seen': entry.expireAt },
    },
  };
}

/** Moves the entry to `expireAt` if nobody moved it since it was read. */
export function rescheduleExpiry(entry: ExpiryEntry, expireAt: number): TransactItem {
  const put = putExpiry(entry.jobId, expireAt).Put!;
  return { Put: { ...put, ConditionExpression: 'expireAt = :seen', ExpressionAttributeValues: { ':seen': entry.expireAt } } };
}

/** The entry for a new expiry time: a put, or a delete when the artifacts no longer expire. */
export function setExpiry(jobId: number, expireAt: number | null): TransactItem {
  return expireAt === null ? deleteExpiry(jobId) : putExpiry(jobId, expireAt);
}

export async function queryDueExpiries(now: number, limit = 100): Promise<ExpiryEntry[]> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :index AND GSI2SK < :now',
      ExpressionAttributeValues: { ':index': EXPIRING_INDEX, ':now': `${pad(now, 15)}$` },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => ({ jobId: Number(item.jobId), expireAt: Number(item.expireAt) }));
}
