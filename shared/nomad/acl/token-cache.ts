import type { ResolvedToken } from './resolve';

/**
 * Resolved tokens kept for a while per process, so a request with a token it has seen lately
 * costs no lookup: as a Nomad client agent caches tokens and policies (`acl.token_ttl` and
 * `policy_ttl`, 30 s by default). ACL writes through this process clear it at once; another
 * Lambda instance sees a revoked token or changed policy within the TTL. A token's own
 * expiration is checked on every use.
 */
export const TOKEN_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 1_000;

const entries = new Map<string, { resolved: ResolvedToken; until: number }>();

export function cachedToken(key: string, now: number): ResolvedToken | undefined {
  const entry = entries.get(key);
  if (!entry) return undefined;
  const expiresAt = entry.resolved.token?.expiresAt;
  if (entry.until <= now || (expiresAt !== undefined && expiresAt <= now)) {
    entries.delete(key);
    return undefined;
  }
  return entry.resolved;
}

export function cacheToken(key: string, resolved: ResolvedToken, now: number): void {
  entries.delete(key);
  entries.set(key, { resolved, until: now + TOKEN_CACHE_TTL_MS });
  // Oldest first: a Map iterates in insertion order.
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}

export function clearTokenCache(): void {
  entries.clear();
}
