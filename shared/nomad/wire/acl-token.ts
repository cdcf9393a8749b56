import { createHash } from 'node:crypto';
import type { TokenRecord } from '../../auth/store/token-store';
import type { NomadTokenClaims } from '../acl/resolve';

/**
 * Nomad's ACLToken. Only hashes of secrets are stored, so `SecretID` is shown only where the
 * caller holds it: when the token is created, and on `token/self`.
 */
export type NomadToken = TokenRecord & { claims: NomadTokenClaims };

export function aclTokenWire(token: NomadToken, secretId = '') {
  const expiration = token.expiresAt === undefined ? null : new Date(token.expiresAt).toISOString();
  return {
    AccessorID: token.accessorId,
    SecretID: secretId,
    Name: token.name,
    Type: token.claims.Type,
    Policies: token.claims.Type === 'management' ? null : token.claims.Policies,
    Roles: null,
    Global: token.claims.Global,
    Hash: createHash('sha256').update(`${token.accessorId}:${token.name}:${token.claims.Type}:${(token.claims.Policies ?? []).join(',')}`).digest('base64'),
    CreateTime: new Date(token.createdAt).toISOString(),
    ExpirationTime: expiration,
    ExpirationTTL: token.claims.ExpirationTTL ?? 0,
    CreateIndex: token.claims.CreateIndex,
    ModifyIndex: token.claims.ModifyIndex,
  };
}

/** Nomad's ACLTokenListStub: the token without its secret. */
export function aclTokenListStub(token: NomadToken) {
  const { SecretID: _secret, ExpirationTTL: _ttl, ...stub } = aclTokenWire(token);
  return stub;
}
