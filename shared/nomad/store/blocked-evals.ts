import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { queryAll } from '../../storage/query-all';
import { unlessConditionFails, type TransactItem } from '../../storage/transact';
import { blockedBuckets, type BlockedEntry, type BlockedTarget } from '../scheduler/blocked-wake';
import type { Evaluation } from '../structs/evaluation';
import { evalFromItem } from './evals';
import { BLOCKED_SHARDS, blockedIndexKey, blockedShardKey, evalSk, jobPk } from './keys';

/**
 * The index of blocked evaluations by the node pool and datacenters of their job (keys in
 * keys.ts, buckets in scheduler/blocked-wake.ts): written in the transaction that blocks an
 * evaluation and removed in the one that ends the job's blocked evaluation, so a node that
 * appears reads only the evaluations that could run on it. One item per job and bucket (a job has
 * at most one blocked evaluation), so waking is deduplicated per job by construction.
 *
 * An entry may outlive its evaluation (the job's datacenters changed while it was blocked, or the
 * evaluation was quarantined): whoever reads it checks the evaluation and drops the entry.
 */
const ENTRY_FIELDS = ['Namespace', 'JobID', 'EvalID', 'Datacenters', 'NodePool', 'ClassEligibility', 'EscapedComputedClass'] as const;

/** Files a blocked evaluation under its job's buckets (replacing the job's previous entry there). */
export function indexBlockedEval(evaluation: Evaluation, job: BlockedTarget): TransactItem[] {
  const entry: BlockedEntry = {
    Namespace: evaluation.Namespace,
    JobID: evaluation.JobID,
    EvalID: evaluation.ID,
    Datacenters: job.Datacenters,
    NodePool: job.NodePool,
    ClassEligibility: evaluation.ClassEligibility ?? {},
    EscapedComputedClass: evaluation.EscapedComputedClass ?? false,
  };
  return blockedBuckets(job).map((bucket) => ({
    Put: { TableName: config().tableName, Item: { ...blockedIndexKey(bucket, evaluation.Namespace, evaluation.JobID), ...entry } },
  }));
}

/** Removes a job's entries (the job no longer has a blocked evaluation). */
export function unindexBlockedEval(namespace: string, jobId: string, job: BlockedTarget): TransactItem[] {
  return blockedBuckets(job).map((bucket) => ({ Delete: { TableName: config().tableName, Key: blockedIndexKey(bucket, namespace, jobId) } }));
}

/** Every entry filed under the buckets, read shard by shard in parallel. */
export async function listBlockedEntries(buckets: string[]): Promise<BlockedEntry[]> {
  const shards = buckets.flatMap((bucket) => Array.from({ length: BLOCKED_SHARDS }, (_, shard) => blockedShardKey(bucket, shard)));
  const pages = await Promise.all(
    shards.map((pk) =>
      queryAll({
        TableName: config().tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: ENTRY_FIELDS.map((_, i) => `#f${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(ENTRY_FIELDS.map((field, i) => [`#f${i}`, field])),
      }),
    ),
  );
  return pages.flat() as BlockedEntry[];
}

/** The evaluations the entries name, read consistently; missing ones are left out. */
export async function readEntryEvals(entries: BlockedEntry[]): Promise<Evaluation[]> {
  const items = await batchGet(
    entries.map((entry) => ({ PK: jobPk(entry.Namespace, entry.JobID), SK: evalSk(entry.EvalID) })),
    { consistent: true },
  );
  return items.map(evalFromItem);
}

/** Drops an entry whose evaluation is no longer blocked, unless it was refiled meanwhile. */
export async function dropBlockedEntry(entry: BlockedEntry): Promise<void> {
  const keys = blockedBuckets(entry).map((bucket) => blockedIndexKey(bucket, entry.Namespace, entry.JobID));
  for (const Key of keys) {
    await unlessConditionFails(
      dynamo().send(
        new DeleteCommand({
          TableName: config().tableName,
          Key,
          ConditionExpression: 'EvalID = :id',
          ExpressionAttributeValues: { ':id': entry.EvalID },
        }),
      ),
    );
  }
}
