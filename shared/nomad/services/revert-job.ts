import { notFound, badRequest } from '../http/errors';
import { readJob, readJobVersion } from '../store/jobs';
import { readSubmission } from '../store/submissions';
import { visibleJobVersions } from '../store/job-versions';
import { registerJob, type RegisterResult } from './register-job';

/**
 * Reverting (Job.Revert): the old version's spec is registered again as a new version, unstable
 * and untagged, with the source it was submitted with carried forward.
 */
export interface RevertRequest {
  namespace: string;
  jobId: string;
  jobVersion?: number;
  taggedVersion?: string;
  enforcePriorVersion?: number | null;
  evalPriority?: number;
}

export async function revertJob(request: RevertRequest): Promise<RegisterResult> {
  const current = await readJob(request.namespace, request.jobId, { children: false });
  if (!current) throw notFound(`job "${request.jobId}" not found`);
  let version = request.jobVersion ?? 0;
  if (request.taggedVersion) {
    const tagged = (await visibleJobVersions(request.namespace, request.jobId)).find((job) => job.VersionTag?.Name === request.taggedVersion);
    if (!tagged) throw notFound(`tag "${request.taggedVersion}" not found`);
    version = tagged.Version;
  }
  if (version === current.job.Version) throw badRequest("can't revert to current version");
  const old = await readJobVersion(request.namespace, request.jobId, version);
  if (!old || old.CreateIndex !== current.job.CreateIndex) {
    throw notFound(`job "${request.jobId}" in namespace "${request.namespace}" at version ${version} not found`);
  }
  const submission = await readSubmission(request.namespace, request.jobId, version);
  return registerJob({
    job: { ...old, VersionTag: null, Stable: false },
    namespace: request.namespace,
    enforceIndex: false,
    jobModifyIndex: 0,
    evalPriority: request.evalPriority ?? 0,
    preserveCounts: false,
    expectedVersion: request.enforcePriorVersion ?? undefined,
    submission,
  });
}
