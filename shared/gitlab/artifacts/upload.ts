import { randomUUID, createHash } from 'node:crypto';
import { config } from '../../config';
import type { ArtifactsAuthorizeAnswer } from '../entities/runner-protocol';
import { badRequest } from '../errors';
import type { JobRecord } from '../records';
import { moveObject, objectSize, presignedUpload, putObject } from '../store/bucket-objects';
import { uploadKey } from './object-keys';
import { checkUpload, finalKey, registerArtifact, tooLarge, type ArtifactUpload } from './register';

/**
 * The two ways an archive reaches the bucket.
 *
 * `authorize` then finalize, as Workhorse does it: `POST /jobs/:id/artifacts/authorize` hands out
 * a `RemoteObject` of presigned URLs (one PUT, or a multipart upload for large or unknown sizes)
 * under `uploads/`, the runner sends the bytes straight to S3, then `POST /jobs/:id/artifacts` with
 * `file.remote_id` registers them. Nothing large passes through the API.
 *
 * A stock gitlab-runner POSTs the whole archive as `multipart/form-data` instead; that is accepted
 * up to the request size a Lambda can take (`postLimitBytes`), and answered with GitLab's 413 above.
 */
const URL_TTL_SECONDS = 4 * 3600;
const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 100;

/** The part size that covers `size` bytes in at most 100 parts of at least 5 MiB, rounded up to a MiB. */
export function partSize(size: number): number {
  const wanted = Math.max(MIN_PART_SIZE, Math.ceil(size / MAX_PARTS));
  return Math.ceil(wanted / (1024 * 1024)) * 1024 * 1024;
}

export async function authorizeUpload(job: JobRecord, upload: ArtifactUpload, filesize: number | undefined): Promise<ArtifactsAuthorizeAnswer> {
  checkUpload(job, upload);
  const maximum = config().gitlabArtifacts.maxSizeBytes;
  if (filesize !== undefined && filesize > maximum) throw tooLarge();
  const id = randomUUID();
  let multipart: { partSize: number; count: number } | null = null;
  if (filesize === undefined || filesize > MULTIPART_THRESHOLD) {
    const size = filesize ?? maximum;
    const part = partSize(size);
    multipart = { partSize: part, count: Math.max(1, Math.ceil(size / part)) };
  }
  return {
    RemoteObject: {
      ID: id,
      ...(await presignedUpload(uploadKey(job.id, id), multipart, URL_TTL_SECONDS)),
      CustomPutHeaders: false,
      PutHeaders: {},
      SkipDelete: false,
      Timeout: URL_TTL_SECONDS,
    },
    MaximumSize: maximum,
  };
}

/** The runner's `POST /jobs/:id/artifacts` after an authorized upload (`file.remote_id`). */
export async function finalizeUpload(job: JobRecord, upload: ArtifactUpload, remoteId: string, sha256: string | undefined): Promise<void> {
  checkUpload(job, upload);
  if (!/^[0-9a-f-]{36}$/.test(remoteId)) throw badRequest('invalid file.remote_id');
  const from = uploadKey(job.id, remoteId);
  const size = await objectSize(from);
  if (size === undefined) throw badRequest('file.remote_id was not uploaded');
  const to = finalKey(job, remoteId, upload);
  // A presigned upload moves to its final key.
  await moveObject(from, to);
  await registerArtifact(job, upload, { key: to, size, sha256 });
}

/** A stock runner's archive, whole in the request (already checked against the POST limit). */
export async function storeDirectUpload(job: JobRecord, upload: ArtifactUpload, bytes: Uint8Array): Promise<void> {
  checkUpload(job, upload);
  const key = finalKey(job, randomUUID(), upload);
  await putObject(key, bytes, { contentLength: bytes.length });
  await registerArtifact(job, upload, { key, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
}
