import { generateKeyPairSync } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../aws/clients';
import { config } from '../../config';
import { unlessConditionFails } from '../../storage/transact';
import { signingKeyKey } from './keys';

/** The instance's RSA key for CI ID tokens: made once (the first writer wins), then read. */
export interface SigningKeyRecord {
  privateKeyPem: string;
  createdAt: number;
}

const cache = new Map<string, SigningKeyRecord>();

export async function signingKey(): Promise<SigningKeyRecord> {
  const table = config().tableName;
  const cached = cache.get(table);
  if (cached) return cached;
  const read = await dynamo().send(new GetCommand({ TableName: table, Key: signingKeyKey(), ConsistentRead: true }));
  if (read.Item) {
    const stored = { privateKeyPem: String(read.Item.privateKeyPem), createdAt: Number(read.Item.createdAt) };
    cache.set(table, stored);
    return stored;
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fresh: SigningKeyRecord = { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), createdAt: Date.now() };
  const written = await unlessConditionFails(
    dynamo().send(new PutCommand({ TableName: table, Item: { ...signingKeyKey(), ...fresh }, ConditionExpression: 'attribute_not_exists(PK)' })),
  );
  if (written !== undefined) {
    cache.set(table, fresh);
    return fresh;
  }
  return signingKey();
}
