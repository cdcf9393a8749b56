import type { RunnerRecord } from '../records';

/**
 * A runner's status as GitLab's `Ci::Runner` computes it from `contacted_at` (kept by the
 * runner's `POST /jobs/request` calls): online within two hours of its last contact, stale once
 * neither created nor contacted for seven days (17.x), never_contacted before its first call.
 */
export const ONLINE_CONTACT_TIMEOUT_MS = 2 * 60 * 60 * 1000;
export const STALE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

export const RUNNER_TYPES = ['instance_type', 'group_type', 'project_type'] as const;
export const RUNNER_STATUSES = ['online', 'offline', 'stale', 'never_contacted'] as const;
/** With the deprecated `active` and `paused`. */
export const RUNNER_STATUSES_INCL_DEPRECATED = [...RUNNER_STATUSES, 'active', 'paused'] as const;
/** Every `scope`: the legacy types (`specific`, `shared`), the types and the statuses. */
export const RUNNER_SCOPES = ['specific', 'shared', ...RUNNER_TYPES, ...RUNNER_STATUSES_INCL_DEPRECATED] as const;
export type RunnerScope = (typeof RUNNER_SCOPES)[number];

export function isOnline(runner: RunnerRecord, now: number): boolean {
  return runner.contactedAt !== null && runner.contactedAt > now - ONLINE_CONTACT_TIMEOUT_MS;
}

export function isStale(runner: RunnerRecord, now: number): boolean {
  return Math.max(runner.createdAt, runner.contactedAt ?? 0) <= now - STALE_TIMEOUT_MS;
}

/** The REST `status` field (`deprecated_rest_status`), which also says `paused`. */
export function restStatus(runner: RunnerRecord, now: number): 'stale' | 'never_contacted' | 'online' | 'offline' | 'paused' {
  if (isStale(runner, now)) return 'stale';
  if (runner.contactedAt === null) return 'never_contacted';
  if (runner.paused) return 'paused';
  return isOnline(runner, now) ? 'online' : 'offline';
}

/** GitLab's runner scopes (`Ci::Runner.online`, `.offline`, `.stale`, `.project_type`, `.deprecated_specific`…). */
export function inScope(runner: RunnerRecord, scope: RunnerScope, now: number): boolean {
  switch (scope) {
    case 'specific':
      return runner.runnerType !== 'instance_type';
    case 'shared':
    case 'instance_type':
      return runner.runnerType === 'instance_type';
    case 'group_type':
    case 'project_type':
      return runner.runnerType === scope;
    case 'online':
      return isOnline(runner, now);
    case 'offline':
      return runner.contactedAt !== null && !isOnline(runner, now);
    case 'stale':
      return isStale(runner, now);
    case 'never_contacted':
      return runner.contactedAt === null;
    case 'active':
      return !runner.paused;
    case 'paused':
      return runner.paused;
  }
}

export interface RunnerFilters {
  scopes: RunnerScope[];
  tagList?: string[];
  versionPrefix?: string;
}

export function filterRunners(runners: readonly RunnerRecord[], filters: RunnerFilters, now: number): RunnerRecord[] {
  return runners
    .filter((runner) => filters.scopes.every((scope) => inScope(runner, scope, now)))
    .filter((runner) => !filters.tagList || filters.tagList.every((tag) => runner.tagList.includes(tag)))
    .filter((runner) => !filters.versionPrefix || String(runner.info.version ?? '').startsWith(filters.versionPrefix))
    .sort((a, b) => a.id - b.id);
}
