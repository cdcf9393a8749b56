import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { decryptDataKey, generateDataKey } from '../../aws/kms';
import { config } from '../../config';
import type { SealedItems, VariableItems } from '../structs/variable';

/**
 * Envelope encryption of Variables' items, as Nomad's keyring encrypts them: AES-256-GCM under a
 * data key, the data key itself wrapped by a root key the stack owns — the KMS key on AWS, a key
 * file created on first use under the data directory locally. Each sealed value carries its wrapped
 * data key, so opening it needs nothing else; the namespace and path are the associated data, so a
 * sealed value copied to another variable does not open.
 *
 * A process draws one data key and uses it for an hour (one KMS call per hour of writes, not per
 * write) and keeps the data keys it has unwrapped, so reads call KMS once per key.
 */
const DATA_KEY_LIFETIME_MS = 3_600_000;
const KMS_CONTEXT = { purpose: 'jobplane-nomad-variables' };
const MAX_CACHED_KEYS = 256;

interface RootKey {
  id: string;
  newDataKey(): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  unwrap(wrapped: Buffer): Promise<Buffer>;
}

function gcmSeal(key: Buffer, plaintext: Buffer, aad?: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

function gcmOpen(key: Buffer, sealed: Buffer, aad?: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

/** The local root key: 32 random bytes in a file only its owner reads, written once (`wx`) so two processes agree. */
function readOrCreateKeyFile(file: string): Buffer {
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

function localRootKey(file: string): RootKey {
  const key = readOrCreateKeyFile(file);
  if (key.length !== 32) throw new Error(`the variables key file ${file} does not hold a 32-byte key`);
  return {
    id: `local:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`,
    async newDataKey() {
      const plaintext = randomBytes(32);
      return { plaintext, wrapped: gcmSeal(key, plaintext) };
    },
    async unwrap(wrapped) {
      return gcmOpen(key, wrapped);
    },
  };
}

function kmsRootKey(keyId: string): RootKey {
  return {
    id: keyId,
    newDataKey: () => generateDataKey(keyId, KMS_CONTEXT),
    unwrap: (wrapped) => decryptDataKey(keyId, wrapped, KMS_CONTEXT),
  };
}

let root: { setting: string; key: RootKey } | undefined;
let current: { wrapped: string; plaintext: Buffer; until: number } | undefined;
const unwrapped = new Map<string, Buffer>();

function rootKey(): RootKey {
  const setting = config().variablesKey;
  const name = 'kmsKeyId' in setting ? `kms:${setting.kmsKeyId}` : `file:${setting.file}`;
  if (root?.setting !== name) {
    root = { setting: name, key: 'kmsKeyId' in setting ? kmsRootKey(setting.kmsKeyId) : localRootKey(setting.file) };
    current = undefined;
  }
  return root.key;
}

function associatedData(namespace: string, path: string): Buffer {
  return Buffer.from(`${namespace}\0${path}`);
}

export async function sealItems(items: VariableItems, namespace: string, path: string): Promise<SealedItems> {
  const key = rootKey();
  if (!current || current.until <= Date.now()) {
    const fresh = await key.newDataKey();
    current = { wrapped: fresh.wrapped.toString('base64'), plaintext: fresh.plaintext, until: Date.now() + DATA_KEY_LIFETIME_MS };
    unwrapped.set(current.wrapped, fresh.plaintext);
  }
  const data = gcmSeal(current.plaintext, Buffer.from(JSON.stringify(items)), associatedData(namespace, path));
  return { KeyID: key.id, WrappedKey: current.wrapped, Data: data.toString('base64') };
}

export async function openItems(sealed: SealedItems, namespace: string, path: string): Promise<VariableItems> {
  let dataKey = unwrapped.get(sealed.WrappedKey);
  if (!dataKey) {
    dataKey = await rootKey().unwrap(Buffer.from(sealed.WrappedKey, 'base64'));
    if (unwrapped.size >= MAX_CACHED_KEYS) unwrapped.delete(unwrapped.keys().next().value!);
    unwrapped.set(sealed.WrappedKey, dataKey);
  }
  return JSON.parse(gcmOpen(dataKey, Buffer.from(sealed.Data, 'base64'), associatedData(namespace, path)).toString('utf8'));
}
