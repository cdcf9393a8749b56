import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { queryAll } from '../../storage/query-all';
import { queryFirst } from '../../storage/query-first';

/**
 * The one token store every dialect authenticates against: Nomad ACL tokens, GitLab personal,
 * job and runner tokens, CodeArts (IAM-style) tokens. Secrets are never stored, only their SHA-256,
 * so the item key is the hash and a lookup is one consistent GetItem.
 *
 *   PK `TOKEN#<sha256 of secret>`  SK `TOKEN`
 *   GSI2 `TOKENACCESSOR#<accessor id>` / `ID`   lookups by the token's public ID
 *   GSI1 `TOKENS#<kind>` / `<accessor id>`       every token of a kind (Nomad's token list)
 *
 * What a token allows is the dialect's business: each kind keeps its own fields under `claims`.
 */
export type TokenKind = 'nomad' | 'gitlab-personal' | 'gitlab-job' | 'gitlab-runner' | 'iam';

export interface TokenRecord {
  secretHash: string;
  accessorId: string;
  kind: TokenKind;
  name: string;
  /** Unix ms. */
  createdAt: number;
  expiresAt?: number;
  revoked?: boolean;
  claims: Record<string, unknown>;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A fresh random secret, optionally with a recognisable prefix (GitLab's `glpat-`, `glrt-`…). */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(20).toString('base64url')}`;
}

/** Whether a presented secret is the bootstrap token, whose digest comes from the environment. */
export function isBootstrapSecret(secret: string | undefined): boolean {
  const expected = config().bootstrapTokenSha256;
  if (!secret || !expected) return false;
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const wanted = Buffer.from(expected, 'hex');
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
}

function tokenKey(secretHash: string) {
  return { PK: `TOKEN#${secretHash}`, SK: 'TOKEN' };
}

export type NewToken = Omit<TokenRecord, 'secretHash' | 'accessorId' | 'createdAt'> & { accessorId?: string };

/**
 * The record and the conditional Put that stores a token for `secret`, for callers that store it
 * in one transaction with other items (a GitLab job token with the job it belongs to).
 */
export function tokenPut(secret: string, fields: NewToken): { record: TokenRecord; put: Omit<PutCommandInput, 'ReturnValues'> } {
  const record: TokenRecord = {
    ...fields,
    secretHash: hashSecret(secret),
    accessorId: fields.accessorId ?? randomUUID(),
    createdAt: Date.now(),
  };
  const put = {
    TableName: config().tableName,
    Item: {
      ...tokenKey(record.secretHash),
      GSI1PK: `TOKENS#${record.kind}`,
      GSI1SK: record.accessorId,
      GSI2PK: `TOKENACCESSOR#${record.accessorId}`,
      GSI2SK: 'ID',
      ...record,
    },
    ConditionExpression: 'attribute_not_exists(PK)',
  };
  return { record, put };
}

/** Stores a token for `secret`; returns its record. */
export async function putToken(secret: string, fields: NewToken): Promise<TokenRecord> {
  const { record, put } = tokenPut(secret, fields);
  await dynamo().send(new PutCommand(put));
  return record;
}

function recordOf(item: Record<string, any>): TokenRecord {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _s1, GSI2PK: _g, GSI2SK: _s, ...record } = item;
  return record as TokenRecord;
}

/** The live token for a secret: unknown, revoked and expired tokens are all `undefined`. */
export async function findToken(secret: string, now = Date.now()): Promise<TokenRecord | undefined> {
  const record = await findTokenRecord(secret);
  if (!record || record.revoked || (record.expiresAt !== undefined && record.expiresAt <= now)) return undefined;
  return record;
}

/** The stored record whatever its state, for callers that must tell expired from unknown. */
export async function findTokenRecord(secret: string): Promise<TokenRecord | undefined> {
  const result = await dynamo().send(new GetCommand({ TableName: config().tableName, Key: tokenKey(hashSecret(secret)), ConsistentRead: true }));
  return result.Item ? recordOf(result.Item) : undefined;
}

export async function findTokenByAccessor(accessorId: string): Promise<TokenRecord | undefined> {
  const item = await queryFirst({
    TableName: config().tableName,
    IndexName: 'GSI2',
    KeyConditionExpression: 'GSI2PK = :pk',
    ExpressionAttributeValues: { ':pk': `TOKENACCESSOR#${accessorId}` },
  });
  return item ? recordOf(item) : undefined;
}

export async function revokeToken(secretHash: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: tokenKey(secretHash),
      UpdateExpression: 'SET revoked = :true',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
}

/** Replaces what a token allows and is called (its secret, accessor and kind never change). */
export async function updateTokenClaims(secretHash: string, name: string, claims: Record<string, unknown>): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: config().tableName,
      Key: tokenKey(secretHash),
      UpdateExpression: 'SET #name = :name, claims = :claims',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':name': name, ':claims': claims },
    }),
  );
}

/** Every token of a kind, in accessor ID order (revoked ones included; callers filter). */
export async function listTokens(kind: TokenKind): Promise<TokenRecord[]> {
  const items = await queryAll({
    TableName: config().tableName,
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': `TOKENS#${kind}` },
  });
  return items.map(recordOf);
}
