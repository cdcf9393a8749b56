import type { Context } from 'hono';
import * as z from '../../util/zod';
import { requireNamespace } from '../acl/guard';
import { diffVersionParam, jobVersions } from '../services/job-versions';
import { revertJob } from '../services/revert-job';
import { setJobStability } from '../services/stable-job';
import { tagJobVersion, untagJobVersion } from '../services/tag-job-version';
import { readSubmission } from '../store/submissions';
import { jobRegisterResponse } from '../wire/job-register-response';
import { jobSubmission } from '../wire/job-submission';
import { jobTagResponse } from '../wire/job-tag-response';
import { jobVersionsResponse } from '../wire/job-versions-response';
import { writeMeta } from '../wire/query-meta';
import { blockingJson } from './blocking';
import { nomadBody, optionalNomadBody } from './body';
import { badRequest, notFound } from '../errors';
import type { JobPath } from './job-path';
import { requireJobWrite } from './job-params';
import { boolParam, namespaceParam } from './params';
import { nomadJson, setIndex } from './respond';

/** A job's history: versions and their diffs, submitted sources, revert, stability and tags. */
const RevertBody = z
  .object({
    JobID: z.string().optional(),
    JobVersion: z.number().int().nonnegative().optional(),
    TaggedVersion: z.string().optional(),
    EnforcePriorVersion: z.number().int().nonnegative().nullish(),
    ConsulToken: z.string().optional(),
    VaultToken: z.string().optional(),
  })
  .passthrough();

const JOB_REVERT_REQUEST = { name: 'JobRevertRequest', integers: { JobVersion: 'uint64', EnforcePriorVersion: 'uint64' } } as const;

const StableBody = z
  .object({ JobID: z.string().optional(), JobVersion: z.number().int().nonnegative().optional(), Stable: z.boolean().optional() })
  .passthrough();

const JOB_STABILITY_REQUEST = { name: 'JobStabilityRequest', integers: { JobVersion: 'uint64' } } as const;

const TagBody = z
  .object({ Version: z.number().int().nonnegative().nullish(), Description: z.string().optional(), Latest: z.boolean().optional() })
  .passthrough();

function checkBodyJobId(bodyJobId: string | undefined, pathJobId: string): void {
  if (!bodyJobId) throw badRequest('JobID must be specified');
  if (bodyJobId !== pathJobId) throw badRequest('Job ID does not match');
}

export async function versionsHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  const diffs = boolParam(c, 'diffs');
  const diffVersion = diffVersionParam(c.req.query('diff_version'));
  const diffTag = c.req.query('diff_tag') || undefined;
  return blockingJson(c, async () => {
    const result = await jobVersions({ namespace, jobId, diffs, diffVersion, diffTag });
    return { index: result.index, body: jobVersionsResponse(result) };
  });
}

export async function submissionHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'read-job');
  const version = c.req.query('version');
  if (!version || !/^\d+$/.test(version)) throw badRequest('Unable to parse job submission version parameter');
  return blockingJson(c, async () => {
    const submission = await readSubmission(namespace, jobId, Number(version));
    if (!submission) throw notFound('job source not found');
    return { index: submission.JobModifyIndex, body: jobSubmission(submission) };
  });
}

export async function revertHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const body = await nomadBody(c, RevertBody, JOB_REVERT_REQUEST);
  checkBodyJobId(body.JobID, jobId);
  const namespace = namespaceParam(c);
  await requireJobWrite(c, namespace, {}, 'submit-job', 'revert-job');
  const result = await revertJob({
    namespace,
    jobId,
    jobVersion: body.JobVersion,
    taggedVersion: body.TaggedVersion,
    enforcePriorVersion: body.EnforcePriorVersion,
  });
  setIndex(c, result.index);
  return nomadJson(c, jobRegisterResponse(result));
}

export async function stableHandler(c: Context, { jobId }: JobPath): Promise<Response> {
  const body = await nomadBody(c, StableBody, JOB_STABILITY_REQUEST);
  checkBodyJobId(body.JobID, jobId);
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'submit-job', 'stable-job');
  const index = await setJobStability(namespace, jobId, body.JobVersion ?? 0, body.Stable ?? false);
  setIndex(c, index);
  return nomadJson(c, writeMeta(index));
}

export async function tagHandler(c: Context, { jobId, tag }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'submit-job', 'tag-job-version');
  const body = await optionalNomadBody(c, TagBody, {});
  const result = await tagJobVersion(namespace, jobId, tag!, body.Version ?? undefined, body.Description ?? '');
  setIndex(c, result.index);
  return nomadJson(c, jobTagResponse(result));
}

export async function untagHandler(c: Context, { jobId, tag }: JobPath): Promise<Response> {
  const namespace = namespaceParam(c);
  await requireNamespace(c, namespace, 'submit-job', 'tag-job-version');
  const result = await untagJobVersion(namespace, jobId, tag!);
  setIndex(c, result.index);
  return nomadJson(c, jobTagResponse(result));
}
