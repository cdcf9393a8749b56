import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import type { TransactItem } from '../../storage/transact';
import type { Job, VersionTag } from '../structs/job';
import { readJobAllocs } from './allocs';
import { jobVersionItem } from './jobs';
import { jobPk, versionSk } from './keys';
import { queryJobItems } from './job-items';

/**
 * A job's version history (`VERSION#n` items in its partition). Nomad keeps the newest
 * JOB_TRACKED_VERSIONS versions, plus every tagged version and the newest stable one. A version
 * that falls out of that set is deleted, unless an allocation still runs it (allocations embed
 * their version's Job when served): then it is only hidden from `/versions`, and deleted with
 * the job on purge.
 */
const JOB_TRACKED_VERSIONS = 6;

export interface VersionEntry {
  job: Job;
  hidden: boolean;
}

export async function listJobVersions(namespace: string, jobId: string): Promise<VersionEntry[]> {
  const items = await queryJobItems(namespace, jobId, 'VERSION#', { newestFirst: true });
  return items.map((item) => ({ job: JSON.parse(item.Job) as Job, hidden: Boolean(item.Hidden) }));
}

/** Newest first, hidden versions left out. */
export async function visibleJobVersions(namespace: string, jobId: string): Promise<Job[]> {
  return (await listJobVersions(namespace, jobId)).filter((entry) => !entry.hidden).map((entry) => entry.job);
}

/** Which versions retention drops from a newest-first list. Pure. */
export function versionsToDrop(versions: Job[]): Job[] {
  const newestStable = versions.find((job) => job.Stable);
  const untagged = versions.filter((job) => !job.VersionTag);
  return untagged.slice(JOB_TRACKED_VERSIONS).filter((job) => job !== newestStable);
}

/** After `newest` was written; versions 0..newest are all there can be, so a young job costs no read. */
export async function pruneJobVersions(namespace: string, jobId: string, newest: number): Promise<void> {
  if (newest < JOB_TRACKED_VERSIONS) return;
  const drop = versionsToDrop(await visibleJobVersions(namespace, jobId));
  if (drop.length === 0) return;
  const running = new Set((await readJobAllocs(namespace, jobId)).map((stored) => `${stored.jobCreateIndex}/${stored.jobVersion}`));
  for (const job of drop) {
    const key = { PK: jobPk(namespace, jobId), SK: versionSk(job.Version) };
    if (running.has(`${job.CreateIndex}/${job.Version}`)) {
      await dynamo().send(
        new UpdateCommand({ TableName: config().tableName, Key: key, UpdateExpression: 'SET Hidden = :true', ExpressionAttributeValues: { ':true': true } }),
      );
    } else {
      await dynamo().send(new DeleteCommand({ TableName: config().tableName, Key: key }));
    }
  }
}

/** Rewrites a kept version (its stability or tag changed), if it is still as it was read. */
export function replaceJobVersion(job: Job, expected: Job): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: jobVersionItem(job),
      ConditionExpression: '#job = :expected',
      ExpressionAttributeNames: { '#job': 'Job' },
      ExpressionAttributeValues: { ':expected': JSON.stringify(expected) },
    },
  };
}

/** One item per tag name, so a name is held by at most one version of a job. */
function tagKey(namespace: string, jobId: string, name: string) {
  return { PK: jobPk(namespace, jobId), SK: `TAG#${name}` };
}

export function claimTag(namespace: string, jobId: string, tag: VersionTag, version: number): TransactItem {
  return {
    Put: {
      TableName: config().tableName,
      Item: { ...tagKey(namespace, jobId, tag.Name), Version: version },
      ConditionExpression: 'attribute_not_exists(PK) OR #version = :version',
      ExpressionAttributeNames: { '#version': 'Version' },
      ExpressionAttributeValues: { ':version': version },
    },
  };
}

export function releaseTag(namespace: string, jobId: string, name: string): TransactItem {
  return { Delete: { TableName: config().tableName, Key: tagKey(namespace, jobId, name), ConditionExpression: 'attribute_exists(PK)' } };
}
