import type { TokenRecord } from '../../auth/store/token-store';
import { iso } from './format';

/** `Entities::PersonalAccessToken` (with `token` only when it was just created). */
export function personalAccessTokenEntity(record: TokenRecord, secret?: string) {
  return {
    id: Number(record.claims.tokenId),
    name: record.name,
    revoked: Boolean(record.revoked),
    created_at: iso(record.createdAt),
    description: (record.claims.description as string | undefined) ?? null,
    scopes: record.claims.scopes,
    user_id: Number(record.claims.userId),
    last_used_at: null,
    active: !record.revoked && (record.expiresAt === undefined || record.expiresAt > Date.now()),
    expires_at: record.expiresAt === undefined ? null : new Date(record.expiresAt).toISOString().slice(0, 10),
    ...(secret ? { token: secret } : {}),
  };
}
