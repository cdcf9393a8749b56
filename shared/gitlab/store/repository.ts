import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, s3 } from '../../aws/clients';
import { config } from '../../config';
import { batchGet } from '../../storage/batch-get';
import { unlessConditionFails } from '../../storage/transact';
import { S3_PREFIXES } from '../../storage/table-schema';
import type { CommitRecord } from '../records';
import { blobKey, branchKey, commitKey, projectPk } from './keys';
import { isCommitId, isValidBranchName } from '../validations/ref-name';

/**
 * A project's repository without git: branches point at commits, a commit keeps its whole file
 * tree (path → blob id), blobs keep file content, content too large for an item goes to S3.
 * Ids are computed as git computes them (SHA-1 of the object), so they look and behave like git's.
 */
const INLINE_LIMIT = 300 * 1024;

function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export async function getBranchHead(projectId: number, branch: string): Promise<string | undefined> {
  // A name that cannot be a branch was never stored (and may not fit in a key).
  if (!isValidBranchName(branch)) return undefined;
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: branchKey(projectId, branch), ConsistentRead: true }));
  return result.Item?.sha as string | undefined;
}

export async function hasBranches(projectId: number): Promise<boolean> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: config().tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :branch)',
      ExpressionAttributeValues: { ':pk': projectPk(projectId), ':branch': 'BRANCH#' },
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).length > 0;
}

const SHA = /^[0-9a-f]{40}$/;

const commitOf = (item: Record<string, unknown>) => JSON.parse(item.commit as string) as CommitRecord;

export async function getCommit(projectId: number, sha: string): Promise<CommitRecord | undefined> {
  if (!SHA.test(sha)) return undefined;
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: commitKey(projectId, sha), ConsistentRead: true }));
  return result.Item ? commitOf(result.Item) : undefined;
}

/** How commits of several projects are keyed: `<project id>:<sha>`. */
export const commitRef = (projectId: number, sha: string) => `${projectId}:${sha}`;

/** Commits by project and SHA, in one BatchGet, keyed by `commitRef`. */
export async function getCommits(refs: Iterable<{ projectId: number; sha: string }>): Promise<Map<string, CommitRecord>> {
  const byKey = new Map<string, string>();
  const keys = [];
  for (const { projectId, sha } of refs) {
    const key = commitKey(projectId, sha);
    if (!SHA.test(sha) || byKey.has(`${key.PK} ${key.SK}`)) continue;
    byKey.set(`${key.PK} ${key.SK}`, commitRef(projectId, sha));
    keys.push(key);
  }
  const items = await batchGet(keys, { consistent: true });
  return new Map(items.map((item) => [byKey.get(`${item.PK} ${item.SK}`)!, commitOf(item)]));
}

/** A branch name or a commit SHA → the commit it names. */
export async function resolveRef(projectId: number, ref: string): Promise<CommitRecord | undefined> {
  const head = await getBranchHead(projectId, ref);
  if (head) return getCommit(projectId, head);
  return isCommitId(ref) ? getCommit(projectId, ref) : undefined;
}

export async function putBlob(projectId: number, content: Buffer): Promise<string> {
  const id = blobId(content);
  const item: Record<string, unknown> = { ...blobKey(projectId, id), size: content.length };
  if (content.length > INLINE_LIMIT) {
    const objectKey = `${S3_PREFIXES.repository}${projectId}/${id}`;
    await s3().send(new PutObjectCommand({ Bucket: config().bucketName, Key: objectKey, Body: content }));
    item.objectKey = objectKey;
  } else {
    item.content = content;
  }
  await unlessConditionFails(dynamo().send(new PutCommand({ TableName: config().tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' })));
  return id;
}

export async function readBlob(projectId: number, id: string): Promise<Buffer | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: blobKey(projectId, id) }));
  if (!result.Item) return undefined;
  if (result.Item.objectKey) {
    const object = await s3().send(new GetObjectCommand({ Bucket: config().bucketName, Key: result.Item.objectKey as string }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }
  return Buffer.from(result.Item.content as Uint8Array);
}

export function commitSha(commit: Omit<CommitRecord, 'sha'>): string {
  const tree = createHash('sha1').update(JSON.stringify(Object.entries(commit.tree).sort())).digest('hex');
  const text = [
    `tree ${tree}`,
    ...commit.parentIds.map((parent) => `parent ${parent}`),
    `author ${commit.authorName} <${commit.authorEmail}> ${commit.authoredDate}`,
    `committer ${commit.authorName} <${commit.authorEmail}> ${commit.committedDate}`,
    '',
    commit.message,
  ].join('\n');
  return createHash('sha1').update(`commit ${Buffer.byteLength(text)}\0${text}`).digest('hex');
}

/**
 * Writes the commit, then moves the branch to it only if the branch still points where the
 * caller read it (`expectedHead`, or absent for a new branch). Returns false if it moved meanwhile.
 */
export async function commitToBranch(projectId: number, branch: string, commit: CommitRecord, expectedHead: string | undefined): Promise<boolean> {
  const table = config().tableName;
  await dynamo().send(new PutCommand({ TableName: table, Item: { ...commitKey(projectId, commit.sha), commit: JSON.stringify(commit) } }));
  const written = await unlessConditionFails(
    dynamo().send(
      new PutCommand({
        TableName: table,
        Item: { ...branchKey(projectId, branch), sha: commit.sha, updatedAt: Date.now() },
        ConditionExpression: expectedHead === undefined ? 'attribute_not_exists(PK)' : 'sha = :expected',
        ExpressionAttributeValues: expectedHead === undefined ? undefined : { ':expected': expectedHead },
      }),
    ),
  );
  return written !== undefined;
}
