/**
 * Resolved tokens kept for a while per process, so a request with a token it has seen lately
 * costs no lookup: as a Nomad client agent caches tokens and policies (`acl.token_ttl` and
 * `policy_ttl`, 30 s by default). ACL writes through this process clear it at once; another
 * Lambda instance sees a revoked token or changed policy within the TTL. A token's own
 * expiration is checked on every use.
 */
export const TOKEN_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 1_000;

export class TokenCache<T> {
  readonly #entries = new Map<string, { value: T; until: number; expiresAt?: number }>();

  get(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now || (entry.expiresAt !== undefined && entry.expiresAt <= now)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, now: number, expiresAt?: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, until: now + TOKEN_CACHE_TTL_MS, expiresAt });
    // Oldest first: a Map iterates in insertion order.
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }
}
