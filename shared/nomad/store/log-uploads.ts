import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../../aws/clients';
import { config } from '../../config';
import { NomadError } from '../errors';
import { logObjectKey } from './client-keys';
import type { ChunkRef } from '../wire/client-protocol';
import { putLogChunk } from './log-chunks';

/**
 * The two halves of an agent's log shipping round. First, presigned PUT URLs for the chunks it
 * has (signed with their exact length, valid for 15 minutes), so the bytes go from the agent to
 * S3 without passing through the API and its payload limits. Then, once uploaded, the chunks are
 * committed to the index; a commit checks that each object is really there with that size.
 */

const URL_TTL_SECONDS = 15 * 60;
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

export async function logUploadUrls(allocId: string, chunks: ChunkRef[]): Promise<(ChunkRef & { URL: string })[]> {
  const bucket = config().bucketName;
  return Promise.all(
    chunks.map(async (chunk) => ({
      ...chunk,
      URL: await getSignedUrl(
        s3(),
        new PutObjectCommand({ Bucket: bucket, Key: logObjectKey(allocId, chunk.Task, chunk.Type, chunk.Offset), ContentLength: chunk.Size }),
        { expiresIn: URL_TTL_SECONDS },
      ),
    })),
  );
}

export async function commitLogChunks(allocId: string, chunks: ChunkRef[]): Promise<void> {
  const bucket = config().bucketName;
  await Promise.all(
    chunks.map(async (chunk) => {
      const key = logObjectKey(allocId, chunk.Task, chunk.Type, chunk.Offset);
      let size: number | undefined;
      try {
        size = (await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength;
      } catch (error) {
        if ((error as { name?: string }).name !== 'NotFound') throw error;
      }
      if (size !== chunk.Size) throw new NomadError(400, `log chunk ${chunk.Task}/${chunk.Type}@${chunk.Offset} was not uploaded (expected ${chunk.Size} bytes)`);
      await putLogChunk(allocId, { task: chunk.Task, type: chunk.Type, offset: chunk.Offset, size: chunk.Size });
    }),
  );
}
