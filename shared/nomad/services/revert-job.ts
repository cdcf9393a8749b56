import { notFound, badRequest } from '../errors';
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
  const [current, versions] = await Promise.all([
    readJob(request.namespace, request.jobId),
    request.taggedVersion ? visibleJobVersions(request.namespace, request.jobId) : undefined,
  ]);
  if (!current) throw notFound(`job "${request.jobId}" not found`);
  const tagged = request.taggedVersion ? versions!.find((job) => job.VersionTag?.Name === request.taggedVersion) : undefined;
  if (request.taggedVersion && !tagged) throw notFound(`tag "${request.taggedVersion}" not found`);
  const version = tagged?.Version ?? request.jobVersion ?? 0;
  if (version === current.job.Version) throw badRequest("can't revert to current version");
  // A tagged version was read with the list; the source is read alongside.
  const [old, submission] = await Promise.all([tagged ?? readJobVersion(request.namespace, request.jobId, version), readSubmission(request.namespace, request.jobId, version)]);
  if (!old || old.CreateIndex !== current.job.CreateIndex) {
    throw notFound(`job "${request.jobId}" in namespace "${request.namespace}" at version ${version} not found`);
  }
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
