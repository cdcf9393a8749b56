import { createHash } from 'node:crypto';
import { S3_PREFIXES } from '../../storage/table-schema';

/**
 * Where a job's files live in the bucket. Everything of one job sits under one prefix, so removing
 * a job's artifacts is one listing and one batch delete:
 *
 *   uploads/gitlab/<job id>/<upload id>                         a runner's upload, not yet registered
 *   artifacts/gitlab/<project id>/<job id>/<upload id>/<file>   a registered artifact (archive, report)
 *   artifacts/gitlab/<project id>/<job id>/<upload id>/metadata.gz   the archive's file list
 *   artifacts/gitlab/<project id>/<job id>/<upload id>/entries/<sha-1 of path>   a large single file, extracted once
 *   traces/gitlab/<project id>/<job id>/job.log                 the archived trace of a finished job
 */
export const uploadKey = (jobId: number, uploadId: string) => `${S3_PREFIXES.uploads}gitlab/${jobId}/${uploadId}`;

export const jobArtifactsPrefix = (projectId: number, jobId: number) => `${S3_PREFIXES.artifacts}gitlab/${projectId}/${jobId}/`;

export const artifactKey = (projectId: number, jobId: number, uploadId: string, filename: string) =>
  `${jobArtifactsPrefix(projectId, jobId)}${uploadId}/${filename}`;

/** The folder of an archive's key: its metadata and extracted entries sit beside it. */
export const siblingKey = (archiveKey: string, name: string) => `${archiveKey.slice(0, archiveKey.lastIndexOf('/') + 1)}${name}`;

export const extractedEntryKey = (archiveKey: string, path: string) =>
  siblingKey(archiveKey, `entries/${createHash('sha1').update(path).digest('hex')}`);

export const traceKey = (projectId: number, jobId: number) => `${S3_PREFIXES.traces}gitlab/${projectId}/${jobId}/job.log`;
