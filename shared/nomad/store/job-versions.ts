import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import type { TransactItem } from '../../storage/transact';
import type { Job, VersionTag } from '../structs/job';
import { readJobAllocs } from './allocs';
import { jobVersionItem, specOf } from './jobs';
import { jobKey, jobPk, versionSk } from './keys';
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

/** The current job's Stable flag, when `version` is still its version and nothing was registered since. */
export function setCurrentJobStable(namespace: string, jobId: string, current: { version: number; jobModifyIndex: number }, stable: boolean, index: number): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: jobKey(namespace, jobId),
      UpdateExpression: 'SET Stable = :stable, ModifyIndex = :index',
      ConditionExpression: 'Version = :version AND JobModifyIndex = :jmi',
      ExpressionAttributeValues: { ':stable': stable, ':index': index, ':version': current.version, ':jmi': current.jobModifyIndex },
    },
  };
}

/** The job item's spec, rewritten (a tag set or cleared) while `current` is still the job's version. */
export function rewriteCurrentSpec(current: Job, rewritten: Job, index: number): TransactItem {
  return {
    Update: {
      TableName: config().tableName,
      Key: jobKey(current.Namespace, current.ID),
      UpdateExpression: 'SET Spec = :spec, ModifyIndex = :index',
      ConditionExpression: 'JobModifyIndex = :jmi AND Version = :version',
      ExpressionAttributeValues: { ':spec': specOf(rewritten), ':index': index, ':jmi': current.JobModifyIndex, ':version': current.Version },
    },
  };
}
