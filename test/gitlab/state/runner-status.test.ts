import { describe, expect, it } from 'vitest';
import type { RunnerRecord } from '../../../shared/gitlab/records';
import { filterRunners, inScope, restStatus } from '../../../shared/gitlab/state/runner-status';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

function runner(id: number, fields: Partial<RunnerRecord> = {}): RunnerRecord {
  return {
    id,
    description: '',
    runnerType: 'project_type',
    projectIds: [1],
    tagList: [],
    runUntagged: true,
    paused: false,
    locked: false,
    accessLevel: 'not_protected',
    maximumTimeout: null,
    maintenanceNote: null,
    createdAt: NOW - DAY,
    contactedAt: null,
    createdBy: null,
    queueValue: 'x',
    info: {},
    ...fields,
  };
}

describe('runner status (Ci::Runner#deprecated_rest_status)', () => {
  it.each<[string, Partial<RunnerRecord>, string]>([
    ['never contacted', {}, 'never_contacted'],
    ['contacted a minute ago', { contactedAt: NOW - 60_000 }, 'online'],
    ['contacted just under two hours ago', { contactedAt: NOW - 2 * HOUR + 1000 }, 'online'],
    ['contacted two hours ago', { contactedAt: NOW - 2 * HOUR }, 'offline'],
    ['paused and online', { contactedAt: NOW - 60_000, paused: true }, 'paused'],
    ['paused and never contacted', { paused: true }, 'never_contacted'],
    ['created eight days ago, never contacted', { createdAt: NOW - 8 * DAY }, 'stale'],
    ['created long ago, contacted seven days ago', { createdAt: NOW - 30 * DAY, contactedAt: NOW - 7 * DAY }, 'stale'],
    ['created long ago, contacted six days ago', { createdAt: NOW - 30 * DAY, contactedAt: NOW - 6 * DAY }, 'offline'],
    ['stale and paused', { createdAt: NOW - 30 * DAY, contactedAt: NOW - 8 * DAY, paused: true }, 'stale'],
  ])('%s → %s', (_name, fields, status) => {
    expect(restStatus(runner(1, fields), NOW)).toBe(status);
  });

  it('filters by scopes as GitLab’s scopes do', () => {
    const online = runner(1, { contactedAt: NOW - 1000, tagList: ['linux', 'docker'], info: { version: '17.5.0' } });
    const offline = runner(2, { contactedAt: NOW - 3 * HOUR, paused: true });
    const shared = runner(3, { runnerType: 'instance_type', projectIds: [] });
    const stale = runner(4, { createdAt: NOW - 10 * DAY, contactedAt: NOW - 9 * DAY });
    const all = [stale, shared, offline, online];
    const ids = (scopes: Parameters<typeof filterRunners>[1]) => filterRunners(all, scopes, NOW).map((r) => r.id);
    expect(ids({ scopes: [] })).toEqual([1, 2, 3, 4]);
    expect(ids({ scopes: ['online'] })).toEqual([1]);
    // `offline` is every contacted runner past the online window, stale ones included.
    expect(ids({ scopes: ['offline'] })).toEqual([2, 4]);
    expect(ids({ scopes: ['never_contacted'] })).toEqual([3]);
    expect(ids({ scopes: ['stale'] })).toEqual([4]);
    expect(ids({ scopes: ['paused'] })).toEqual([2]);
    expect(ids({ scopes: ['specific', 'active'] })).toEqual([1, 4]);
    expect(ids({ scopes: ['shared'] })).toEqual([3]);
    expect(ids({ scopes: [], tagList: ['docker', 'linux'] })).toEqual([1]);
    expect(ids({ scopes: [], tagList: ['docker', 'arm'] })).toEqual([]);
    expect(ids({ scopes: [], versionPrefix: '17.' })).toEqual([1]);
    expect(inScope(shared, 'instance_type', NOW)).toBe(true);
  });
});
