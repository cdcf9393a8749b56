import { nextIndex } from '../../storage/index-clock';
import { transact, TransactionConflict, type TransactItem } from '../../storage/transact';
import { badRequest, notFound } from '../errors';
import { versionTagDescriptionProblem } from '../jobspec/validate';
import { storableProblem } from '../structs/validate-ids';
import { claimTag, releaseTag, replaceJobVersion, rewriteCurrentSpec, visibleJobVersions } from '../store/job-versions';
import { readJob } from '../store/jobs';
import type { Job, VersionTag } from '../structs/job';

/**
 * Tagging a job version (Job.TagVersion): a name unique per job, kept on the version (and on the
 * job when that version is current). A tagged version is never pruned.
 */
/** The tag a version now has (none after an untag) and the index of the change. */
export interface TagResult {
  tag: VersionTag | null;
  index: number;
}

async function commit(items: TransactItem[], conflictMessage: string): Promise<boolean> {
  try {
    await transact(items);
    return true;
  } catch (error) {
    if (!(error instanceof TransactionConflict)) throw error;
    if (error.failedConditions.includes(0)) throw badRequest(conflictMessage);
    return false;
  }
}

export async function tagJobVersion(namespace: string, jobId: string, name: string, version: number | undefined, description: string): Promise<TagResult> {
  // The name is part of the tag's key, the description is kept in the version's item.
  const nameProblem = storableProblem('Tag name', name);
  if (nameProblem) throw badRequest(nameProblem);
  const descriptionProblem = versionTagDescriptionProblem(description);
  if (descriptionProblem) throw badRequest(descriptionProblem);
  for (let attempt = 0; attempt < 5; attempt++) {
    const [record, versions] = await Promise.all([readJob(namespace, jobId), visibleJobVersions(namespace, jobId)]);
    if (!record) throw notFound(`job "${jobId}" not found`);
    const wanted = version ?? record.job.Version;
    const stored = versions.find((job) => job.Version === wanted);
    if (!stored) throw notFound(`job "${jobId}" version ${wanted} not found`);
    const holder = versions.find((job) => job.VersionTag?.Name === name);
    if (holder && holder.Version !== wanted) throw badRequest(`tag "${name}" already exists on a different version of job "${jobId}"`);
    const index = nextIndex();
    const tag: VersionTag = { Name: name, Description: description, TaggedTime: Date.now() * 1_000_000 };
    const tagged: Job = { ...stored, VersionTag: tag };
    const items: TransactItem[] = [claimTag(namespace, jobId, tag, wanted), replaceJobVersion(tagged, stored)];
    if (stored.VersionTag && stored.VersionTag.Name !== name) items.push(releaseTag(namespace, jobId, stored.VersionTag.Name));
    if (record.job.Version === wanted) items.push(rewriteCurrentSpec(record.job, { ...record.job, VersionTag: tag }, index));
    if (await commit(items, `tag "${name}" already exists on a different version of job "${jobId}"`)) {
      return { tag, index };
    }
  }
  throw new Error(`could not tag job "${jobId}": it kept changing`);
}

export async function untagJobVersion(namespace: string, jobId: string, name: string): Promise<TagResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [record, versions] = await Promise.all([readJob(namespace, jobId), visibleJobVersions(namespace, jobId)]);
    const stored = record && versions.find((job) => job.VersionTag?.Name === name);
    if (!record || !stored) throw notFound(`tag "${name}" not found on job "${jobId}"`);
    const index = nextIndex();
    const items: TransactItem[] = [releaseTag(namespace, jobId, name), replaceJobVersion({ ...stored, VersionTag: null }, stored)];
    if (record.job.Version === stored.Version) items.push(rewriteCurrentSpec(record.job, { ...record.job, VersionTag: null }, index));
    if (await commit(items, `tag "${name}" not found on job "${jobId}"`)) {
      return { tag: null, index };
    }
  }
  throw new Error(`could not untag job "${jobId}": it kept changing`);
}
