import { randomUUID, createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../../aws/clients';
import { config } from '../../config';
import { badRequest } from '../errors';
import type { JobRecord } from '../records';
import { uploadKey } from './object-keys';
import { checkUpload, finalKey, moveUpload, registerArtifact, tooLarge, type ArtifactUpload } from './register';

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

export interface RemoteObject {
  ID: string;
  GetURL: string;
  StoreURL: string;
  DeleteURL: string;
  MultipartUpload: { PartSize: number; PartURLs: string[]; CompleteURL: string; AbortURL: string } | null;
  CustomPutHeaders: boolean;
  PutHeaders: Record<string, string>;
  SkipDelete: boolean;
  Timeout: number;
}

const TTL = { expiresIn: URL_TTL_SECONDS };

/** The part size that covers `size` bytes in at most 100 parts of at least 5 MiB, rounded up to a MiB. */
export function partSize(size: number): number {
  const wanted = Math.max(MIN_PART_SIZE, Math.ceil(size / MAX_PARTS));
  return Math.ceil(wanted / (1024 * 1024)) * 1024 * 1024;
}

export async function authorizeUpload(job: JobRecord, upload: ArtifactUpload, filesize: number | undefined): Promise<{ RemoteObject: RemoteObject; MaximumSize: number }> {
  checkUpload(job, upload);
  const maximum = config().gitlabArtifacts.maxSizeBytes;
  if (filesize !== undefined && filesize > maximum) throw tooLarge();
  const id = randomUUID();
  const bucket = config().bucketName;
  const key = uploadKey(job.id, id);
  let multipart: RemoteObject['MultipartUpload'] = null;
  if (filesize === undefined || filesize > MULTIPART_THRESHOLD) {
    const size = filesize ?? maximum;
    const part = partSize(size);
    const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const count = Math.max(1, Math.ceil(size / part));
    multipart = {
      PartSize: part,
      PartURLs: await Promise.all(Array.from({ length: count }, (_, i) => getSignedUrl(s3(), new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1 }), TTL))),
      CompleteURL: await getSignedUrl(s3(), new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }), TTL),
      AbortURL: await getSignedUrl(s3(), new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }), TTL),
    };
  }
  return {
    RemoteObject: {
      ID: id,
      GetURL: await getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket, Key: key }), TTL),
      StoreURL: await getSignedUrl(s3(), new PutObjectCommand({ Bucket: bucket, Key: key }), TTL),
      DeleteURL: await getSignedUrl(s3(), new DeleteObjectCommand({ Bucket: bucket, Key: key }), TTL),
      MultipartUpload: multipart,
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
  let size: number;
  try {
    size = (await s3().send(new HeadObjectCommand({ Bucket: config().bucketName, Key: from }))).ContentLength ?? 0;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') throw badRequest('file.remote_id was not uploaded');
    throw error;
  }
  const to = finalKey(job, remoteId, upload);
  await moveUpload(from, to);
  await registerArtifact(job, upload, { key: to, size, sha256 });
}

/** A stock runner's archive, whole in the request (already checked against the POST limit). */
export async function storeDirectUpload(job: JobRecord, upload: ArtifactUpload, bytes: Uint8Array): Promise<void> {
  checkUpload(job, upload);
  const key = finalKey(job, randomUUID(), upload);
  await s3().send(new PutObjectCommand({ Bucket: config().bucketName, Key: key, Body: bytes, ContentLength: bytes.length }));
  await registerArtifact(job, upload, { key, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
}
