import { parseDurationSeconds } from '../ci-config/duration';
import { badRequest } from '../errors';

/**
 * When artifacts uploaded now with `expire_in` expire: `never` (or a zero default) keeps them; a
 * missing value takes the instance default (GitLab's `default_artifacts_expire_in`, 30 days).
 */
export function expireAtFor(expireIn: string | undefined, now: number, defaultExpireIn: string): number | null {
  if (expireIn === undefined || expireIn.trim() === '') {
    const fallback = defaultExpireIn.trim();
    const seconds = fallback === 'never' ? 0 : (parseDurationSeconds(fallback) ?? 0);
    return seconds === 0 ? null : now + seconds * 1000;
  }
  if (expireIn.trim().toLowerCase() === 'never') return null;
  const seconds = parseDurationSeconds(expireIn);
  if (seconds === undefined) throw badRequest('expire_in is invalid');
  return now + seconds * 1000;
}

/** Whether an artifact is past its time; the artifacts of a locked job are kept. */
export function isExpired(expireAt: number | null, locked: boolean, now: number): boolean {
  return !locked && expireAt !== null && expireAt <= now;
}
