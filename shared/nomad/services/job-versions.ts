import { badRequest, notFound } from '../errors';
import { jobDiff, type JobDiff } from '../jobspec/diff';
import { visibleJobVersions } from '../store/job-versions';
import type { Job } from '../structs/job';

/**
 * `GET /v1/job/:id/versions`: the kept versions, newest first, and with `diffs` Nomad's
 * structured diffs: each version against the one before it, or every version against the one
 * named by `diff_version` / `diff_tag`.
 */
export interface VersionsQuery {
  namespace: string;
  jobId: string;
  diffs: boolean;
  diffVersion?: number;
  diffTag?: string;
}

export interface VersionsResult {
  versions: Job[];
  diffs: JobDiff[] | null;
  index: number;
}

export async function jobVersions(query: VersionsQuery): Promise<VersionsResult> {
  const versions = await visibleJobVersions(query.namespace, query.jobId);
  if (versions.length === 0) throw notFound('job versions not found');
  const index = versions.reduce((max, job) => Math.max(max, job.ModifyIndex), 0);
  if (!query.diffs) return { versions, diffs: null, index };
  let target: Job | undefined;
  if (query.diffTag !== undefined) {
    target = versions.find((job) => job.VersionTag?.Name === query.diffTag);
    if (!target) throw notFound(`tag "${query.diffTag}" not found`);
  } else if (query.diffVersion !== undefined) {
    target = versions.find((job) => job.Version === query.diffVersion);
    if (!target) throw notFound(`version ${query.diffVersion} not found`);
  }
  const diffs = target
    ? versions.map((job) => jobDiff(target, job))
    : versions.slice(0, -1).map((job, i) => jobDiff(versions[i + 1], job));
  // Go marshals the empty slice it never appended to as null.
  return { versions, diffs: diffs.length > 0 ? diffs : null, index };
}

export function diffVersionParam(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`Failed to parse value of "diff_version" (${value}) as a uint64`);
  return Number(value);
}
