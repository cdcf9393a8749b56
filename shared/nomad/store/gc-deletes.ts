import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { touchCollection } from '../../storage/table-index';
import { MAX_TRANSACT_ITEMS, transact, isConditionFailure, TransactionConflict, unlessConditionFails } from '../../storage/transact';
import type { StoredAlloc } from './allocs';
import { allocKey } from './allocs';
import type { JobRecord } from './jobs';
import { JOBS_COLLECTION, jobKey, jobPk, NODES_COLLECTION, nodeKey, nodeUsageKey } from './keys';

/**
 * The deletes of garbage collection (`PUT /v1/system/gc`) and node purges. Each is conditioned on
 * the object being as it was read when it was judged collectable, so a change in between (an
 * allocation reported running again, a job re-registered) wins over the collection.
 */

/** A terminal allocation, unless it changed since it was read. */
export async function deleteTerminalAlloc(stored: StoredAlloc): Promise<boolean> {
  const deleted = await unlessConditionFails(
    dynamo().send(
      new DeleteCommand({
        TableName: config().tableName,
        Key: allocKey(stored.alloc),
        ConditionExpression: 'Live = :false AND ModifyIndex = :read',
        ExpressionAttributeValues: { ':false': false, ':read': stored.alloc.ModifyIndex },
      }),
    ),
  );
  return deleted !== undefined;
}

/**
 * A job and everything in its partition (versions, submissions, evaluations, allocations,
 * deployments, …), provided the job item is unchanged: its ModifyIndex moves with any change to
 * its allocations or evaluations. Answers the S3 keys of its stored sources, or undefined when
 * the job changed.
 */
export async function purgeJobPartition(record: JobRecord, index: number): Promise<string[] | undefined> {
  const { Namespace, ID } = record.job;
  try {
    await transact([
      {
        Delete: {
          TableName: config().tableName,
          Key: jobKey(Namespace, ID),
          ConditionExpression: 'ModifyIndex = :read',
          ExpressionAttributeValues: { ':read': record.job.ModifyIndex },
        },
      },
      touchCollection(JOBS_COLLECTION, `${Namespace}/${ID}`, index),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflict || isConditionFailure(error)) return undefined;
    throw error;
  }
  return deletePartitionItems(Namespace, ID);
}

/** What is left in a job partition whose job item is gone. Answers the S3 keys of stored sources. */
async function deletePartitionItems(namespace: string, jobId: string): Promise<string[]> {
  const items = await queryAll({
    TableName: config().tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': jobPk(namespace, jobId) },
    ProjectionExpression: 'PK, SK, SourceKey',
  });
  for (let start = 0; start < items.length; start += MAX_TRANSACT_ITEMS) {
    await transact(items.slice(start, start + MAX_TRANSACT_ITEMS).map((item) => ({ Delete: { TableName: config().tableName, Key: { PK: item.PK, SK: item.SK } } })));
  }
  return items.flatMap((item) => (item.SourceKey ? [item.SourceKey as string] : []));
}

/**
 * A node, unless it changed since it was read, with its usage item unless `keepUsage`: live
 * allocations still hold capacity there, and releasing it when they are marked lost must find it.
 */
export async function deleteNode(nodeId: string, expectedModifyIndex: number, index: number, keepUsage = false): Promise<boolean> {
  try {
    await transact([
      {
        Delete: {
          TableName: config().tableName,
          Key: nodeKey(nodeId),
          ConditionExpression: 'ModifyIndex = :read',
          ExpressionAttributeValues: { ':read': expectedModifyIndex },
        },
      },
      ...(keepUsage ? [] : [{ Delete: { TableName: config().tableName, Key: nodeUsageKey(nodeId) } }]),
      touchCollection(NODES_COLLECTION, nodeId, index),
    ]);
    return true;
  } catch (error) {
    if (error instanceof TransactionConflict || isConditionFailure(error)) return false;
    throw error;
  }
}
