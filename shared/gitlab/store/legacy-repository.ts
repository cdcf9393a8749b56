import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, s3 } from '../../aws/clients';
import { config } from '../../config';
import { blobKey, commitKey, projectPk } from './keys';

/**
 * The repository as it was kept before git (read only, for the migration in
 * shared/gitlab/git/migrate-legacy.ts): `BRANCH#<name>` → commit SHA, `COMMIT#<sha>` with the
 * commit's whole file tree (path → blob id), `BLOB#<id>` with the content or a pointer to S3.
 */
export interface LegacyCommit {
  sha: string;
  parentIds: string[];
  message: string;
  authorName: string;
  authorEmail: string;
  authoredDate: string;
  committedDate: string;
  tree: Record<string, string>;
}

export async function listLegacyBranches(projectId: number): Promise<{ name: string; sha: string }[]> {
  const branches: { name: string; sha: string }[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const input: QueryCommandInput = {
      TableName: config().tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :branch)',
      ExpressionAttributeValues: { ':pk': projectPk(projectId), ':branch': 'BRANCH#' },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    };
    const page = await dynamo().send(new QueryCommand(input));
    for (const item of page.Items ?? []) branches.push({ name: (item.SK as string).slice('BRANCH#'.length), sha: item.sha as string });
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return branches;
}

export async function getLegacyCommit(projectId: number, sha: string): Promise<LegacyCommit | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: commitKey(projectId, sha), ConsistentRead: true }));
  return result.Item ? (JSON.parse(result.Item.commit as string) as LegacyCommit) : undefined;
}

export async function readLegacyBlob(projectId: number, id: string): Promise<Buffer | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: blobKey(projectId, id) }));
  if (!result.Item) return undefined;
  if (result.Item.objectKey) {
    const object = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: result.Item.objectKey as string }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }
  return Buffer.from(result.Item.content as Uint8Array);
}
