import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../aws/clients';
import { config } from '../../config';
import { S3_PREFIXES } from '../../storage/table-schema';

/**
 * A repository's packfiles and their indexes in the bucket, under `repository/<project>/packs/`.
 * Packs are immutable and named by their trailer checksum, so they can be cached anywhere forever.
 */
const key = (projectId: number, name: string, ext: 'pack' | 'idx') => `${S3_PREFIXES.repository}${projectId}/packs/${name}.${ext}`;

export async function uploadPackFiles(projectId: number, name: string, pack: Buffer, idx: Buffer): Promise<void> {
  const bucket = config().bucketName;
  await Promise.all([
    s3().send(new PutObjectCommand({ Bucket: bucket, Key: key(projectId, name, 'pack'), Body: pack })),
    s3().send(new PutObjectCommand({ Bucket: bucket, Key: key(projectId, name, 'idx'), Body: idx })),
  ]);
}

export async function downloadPackFile(projectId: number, name: string, ext: 'pack' | 'idx'): Promise<Buffer> {
  const object = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: key(projectId, name, ext) }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

export async function deletePackFiles(projectId: number, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 500) {
    const objects = names.slice(i, i + 500).flatMap((name) => [{ Key: key(projectId, name, 'pack') }, { Key: key(projectId, name, 'idx') }]);
    await s3().send(new DeleteObjectsCommand({ Bucket: config().bucketName, Delete: { Objects: objects, Quiet: true } }));
  }
}
