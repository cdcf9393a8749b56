import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
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

/**
 * GitLab's files in the bucket (artifacts, archived traces, extracted entries) by key: written,
 * read, moved, and handed out as presigned URLs. Which key a file has is artifacts/object-keys.ts's.
 */
const bucket = () => config().bucketName;

export async function putObject(key: string, body: Uint8Array | Readable, options: { contentType?: string; contentLength?: number } = {}): Promise<void> {
  await s3().send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body, ContentLength: options.contentLength, ContentType: options.contentType }));
}

/** The object's bytes, whole (for small objects: logs). */
export async function getObjectBytes(key: string): Promise<Buffer> {
  const result = await s3().send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  return Buffer.from(await result.Body!.transformToByteArray());
}

/** The object's size; `undefined` when there is no such object. */
export async function objectSize(key: string): Promise<number | undefined> {
  try {
    return (await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }))).ContentLength ?? 0;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return undefined;
    throw error;
  }
}

export async function moveObject(from: string, to: string): Promise<void> {
  await s3().send(new CopyObjectCommand({ Bucket: bucket(), Key: to, CopySource: `${bucket()}/${encodeURI(from)}` }));
  await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key: from }));
}

/** A presigned GET (or HEAD) of the object that answers with this disposition and type. */
export function presignedDownload(key: string, disposition: string, contentType: string, method: string, expiresIn: number): Promise<string> {
  const input = { Bucket: bucket(), Key: key, ResponseContentDisposition: disposition, ResponseContentType: contentType };
  return method === 'HEAD' ? getSignedUrl(s3(), new HeadObjectCommand(input), { expiresIn }) : getSignedUrl(s3(), new GetObjectCommand(input), { expiresIn });
}

export interface PresignedUpload {
  GetURL: string;
  StoreURL: string;
  DeleteURL: string;
  MultipartUpload: { PartSize: number; PartURLs: string[]; CompleteURL: string; AbortURL: string } | null;
}

/** Presigned URLs to upload the object: one PUT, and with `multipart` a multipart upload of `count` parts. */
export async function presignedUpload(key: string, multipart: { partSize: number; count: number } | null, expiresIn: number): Promise<PresignedUpload> {
  const ttl = { expiresIn };
  let upload: PresignedUpload['MultipartUpload'] = null;
  if (multipart) {
    const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: bucket(), Key: key }));
    upload = {
      PartSize: multipart.partSize,
      PartURLs: await Promise.all(
        Array.from({ length: multipart.count }, (_, i) => getSignedUrl(s3(), new UploadPartCommand({ Bucket: bucket(), Key: key, UploadId, PartNumber: i + 1 }), ttl)),
      ),
      CompleteURL: await getSignedUrl(s3(), new CompleteMultipartUploadCommand({ Bucket: bucket(), Key: key, UploadId }), ttl),
      AbortURL: await getSignedUrl(s3(), new AbortMultipartUploadCommand({ Bucket: bucket(), Key: key, UploadId }), ttl),
    };
  }
  return {
    GetURL: await getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket(), Key: key }), ttl),
    StoreURL: await getSignedUrl(s3(), new PutObjectCommand({ Bucket: bucket(), Key: key }), ttl),
    DeleteURL: await getSignedUrl(s3(), new DeleteObjectCommand({ Bucket: bucket(), Key: key }), ttl),
    MultipartUpload: upload,
  };
}
