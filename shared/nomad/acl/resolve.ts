import { createHash } from 'node:crypto';
import { config } from '../../config';
import { findTokenRecord, isBootstrapSecret, type TokenRecord } from '../../auth/store/token-store';
import { readPolicies } from '../store/acl-policies';
import { compileAcl, MANAGEMENT_ACL, type Acl } from './acl';
import { TokenCache } from './token-cache';

/**
 * From the secret a request presents to the ACL it acts under, as Nomad's ResolveToken does:
 * no secret → the `anonymous` policy (nothing if it does not exist); the bootstrap secret or a
 * management token → everything; a client token → the union of its policies. With ACLs
 * disabled every request is management, as in Nomad's dev agent.
 */
export interface NomadTokenClaims {
  Type: 'client' | 'management';
  Policies: string[];
  Global: boolean;
  ExpirationTTL: number;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface ResolvedToken {
  acl: Acl;
  /** The token record; undefined for anonymous requests and the bootstrap token. */
  token?: TokenRecord & { claims: NomadTokenClaims };
  bootstrap: boolean;
}

export class TokenError extends Error {}

const ANONYMOUS_POLICY = 'anonymous';

/** The bootstrap token is not stored; its accessor ID is derived from its digest. */
export function bootstrapAccessorId(): string {
  const hex = createHash('sha256').update(`accessor:${config().bootstrapTokenSha256 ?? ''}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const resolvedTokens = new TokenCache<ResolvedToken>();

/** Forgets what was resolved: after a token or policy changed. */
export function clearResolvedTokens(): void {
  resolvedTokens.clear();
}

export async function resolveSecret(secret: string | undefined, now = Date.now()): Promise<ResolvedToken> {
  if (!config().aclEnabled) return { acl: MANAGEMENT_ACL, bootstrap: false };
  if (secret && isBootstrapSecret(secret)) return { acl: MANAGEMENT_ACL, bootstrap: true };
  // The anonymous policy is cached under a key no secret can be (secrets are never empty).
  const key = secret ?? '';
  const cached = resolvedTokens.get(key, now);
  if (cached) return cached;
  const resolved = await lookUp(secret, now);
  resolvedTokens.set(key, resolved, now, resolved.token?.expiresAt);
  return resolved;
}

async function lookUp(secret: string | undefined, now: number): Promise<ResolvedToken> {
  if (!secret) {
    const policies = await readPolicies([ANONYMOUS_POLICY]);
    return { acl: compileAcl(policies.map((policy) => policy.parsed)), bootstrap: false };
  }
  const record = await findTokenRecord(secret);
  if (!record || record.kind !== 'nomad' || record.revoked) throw new TokenError('ACL token not found');
  if (record.expiresAt !== undefined && record.expiresAt <= now) throw new TokenError('ACL token expired');
  const token = record as ResolvedToken['token'] & object;
  if (token.claims.Type === 'management') return { acl: MANAGEMENT_ACL, token, bootstrap: false };
  const policies = await readPolicies(token.claims.Policies ?? []);
  return { acl: compileAcl(policies.map((policy) => policy.parsed)), token, bootstrap: false };
}
