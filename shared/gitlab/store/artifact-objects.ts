import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../aws/clients';
import { config } from '../../config';

/** A stored artifact's bytes (small ones: reports), read whole; undefined when the object is gone. */
export async function readArtifactObject(key: string): Promise<Buffer | undefined> {
  try {
    const result = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: key }));
    return Buffer.from(await result.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}
