import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findToken, findTokenByAccessor, findTokenRecord, hashSecret, isBootstrapSecret, newSecret, putToken, revokeToken } from '../../../shared/auth/store/token-store';
import { useFreshResources } from '../../support/resources';

beforeAll(async () => {
  await useFreshResources();
  process.env.BOOTSTRAP_TOKEN_SHA256 = createHash('sha256').update('root-secret').digest('hex');
});

describe('token store', () => {
  it('stores only the hash and finds live tokens by secret and by accessor', async () => {
    const secret = newSecret('glpat-');
    expect(secret).toMatch(/^glpat-[A-Za-z0-9_-]{20,}$/);
    const record = await putToken(secret, { kind: 'gitlab-personal', name: 'ci', claims: { userId: 1 } });
    expect(record.secretHash).toBe(hashSecret(secret));
    expect(JSON.stringify(record)).not.toContain(secret);
    expect((await findToken(secret))?.claims).toEqual({ userId: 1 });
    expect((await findTokenByAccessor(record.accessorId))?.name).toBe('ci');
    expect(await findToken('nope')).toBeUndefined();
  });

  it('treats expired and revoked tokens as absent, while keeping their records', async () => {
    const expired = newSecret();
    await putToken(expired, { kind: 'iam', name: 'old', expiresAt: Date.now() - 1, claims: {} });
    expect(await findToken(expired)).toBeUndefined();
    expect((await findTokenRecord(expired))?.name).toBe('old');
    const revoked = newSecret();
    const record = await putToken(revoked, { kind: 'nomad', name: 'gone', claims: {} });
    await revokeToken(record.secretHash);
    expect(await findToken(revoked)).toBeUndefined();
  });

  it('recognises the bootstrap token by its digest', () => {
    expect(isBootstrapSecret('root-secret')).toBe(true);
    expect(isBootstrapSecret('root-secreT')).toBe(false);
    expect(isBootstrapSecret(undefined)).toBe(false);
  });
});
