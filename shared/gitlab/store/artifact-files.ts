import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../aws/clients';
import { config } from '../../config';

/** One stored artifact file's bytes (small files: reports read whole), or undefined when it is gone. */
export async function readArtifactFile(objectKey: string): Promise<Buffer | undefined> {
  try {
    const result = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: objectKey }));
    return Buffer.from(await result.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}
