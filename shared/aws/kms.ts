import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { tracedClient } from '../observability/tracing';

/**
 * The stack's KMS key, used only for envelope encryption: it hands out data keys (plaintext and
 * wrapped) and unwraps them again; the data itself never goes to KMS. The encryption context binds
 * a wrapped key to its purpose, so it cannot be unwrapped for anything else.
 */
let client: KMSClient | undefined;

function kms(): KMSClient {
  client ??= tracedClient(new KMSClient({}));
  return client;
}

export async function generateDataKey(keyId: string, context: Record<string, string>): Promise<{ plaintext: Buffer; wrapped: Buffer }> {
  const result = await kms().send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }));
  return { plaintext: Buffer.from(result.Plaintext!), wrapped: Buffer.from(result.CiphertextBlob!) };
}

export async function decryptDataKey(keyId: string, wrapped: Buffer, context: Record<string, string>): Promise<Buffer> {
  const result = await kms().send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionContext: context }));
  return Buffer.from(result.Plaintext!);
}
