import { describe, expect, it } from 'vitest';
import { claimsFor, derivedId, tokenBody, DEFAULT_DOMAIN } from '../../../shared/codearts/auth/mint';
import { iamTime } from '../../../shared/codearts/auth/iam-time';
import { buildNoSchema, historySchema } from '../../../shared/codearts/http/request';
import { buildState, statusOfJob } from '../../../shared/codearts/pipeline/build-status';
import { runVariables, timestamp, utcDay } from '../../../shared/codearts/pipeline/run-variables';
import { JOB_STATUSES } from '../../../shared/gitlab/state/statuses';

/** The pure parts of the CodeArts dialect: statuses, numbers, variables, token claims. */
describe('build status', () => {
  it('follows the GitLab job while the record is in flight', () => {
    const mapped = Object.fromEntries(JOB_STATUSES.map((status) => [status, statusOfJob(status)]));
    expect(mapped).toEqual({
      created: 'QUEUED',
      waiting_for_resource: 'QUEUED',
      preparing: 'QUEUED',
      waiting_for_callback: 'QUEUED',
      pending: 'QUEUED',
      running: 'RUNNING',
      success: 'SUCCESS',
      failed: 'FAILURE',
      canceling: 'RUNNING',
      canceled: 'ABORTED',
      skipped: 'FAILURE',
      manual: 'QUEUED',
      scheduled: 'QUEUED',
    });
    const record = { status: 'QUEUED' as const, startedAt: null, finishedAt: null };
    expect(buildState(record, { status: 'running', startedAt: 5, finishedAt: null })).toEqual({ status: 'RUNNING', startedAt: 5, finishedAt: null });
    expect(buildState(record, { status: 'success', startedAt: 5, finishedAt: 9 })).toEqual({ status: 'SUCCESS', startedAt: 5, finishedAt: 9 });
  });

  it('keeps a final record whatever the job says (a stop is never overwritten)', () => {
    const aborted = { status: 'ABORTED' as const, startedAt: 5, finishedAt: 7 };
    expect(buildState(aborted, { status: 'success', startedAt: 5, finishedAt: 9 })).toEqual(aborted);
  });
});

describe('numbers and queries', () => {
  it('takes build numbers as digit strings (no leading zero) or JSON integers from 1 to 2147483647', () => {
    const ok = (value: unknown) => buildNoSchema.safeParse(value);
    expect(ok('1').data).toBe(1);
    expect(ok(2).data).toBe(2);
    expect(ok('2147483647').data).toBe(2147483647);
    for (const bad of ['0', '01', '-1', '1.5', 'abc', '', ' 1', '1e3', '2147483648', '99999999999', 0, -1, 1.5, 2147483648, null, true, [1], {}]) {
      expect(ok(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('defaults history paging to page 0, 10 a page, 7 days', () => {
    expect(historySchema.parse({})).toEqual({ offset: 0, limit: 10, interval: 7 });
    expect(historySchema.parse({ offset: '3', limit: '100', interval: '30' })).toEqual({ offset: 3, limit: 100, interval: 30 });
  });
});

describe('run variables', () => {
  it("sets CodeArts's system parameters, which a run's parameters cannot override", () => {
    const at = Date.UTC(2024, 4, 1, 8, 3, 9);
    expect(timestamp(at)).toBe('20240501080309');
    expect(utcDay(at)).toBe('20240501');
    const variables = runVariables({
      buildNo: 12,
      dailyBuildNumber: '20240501.3',
      createdAt: at,
      codeartsProjectId: 'p'.repeat(32),
      jobName: 'app',
      executor: 'dev',
      parameters: [{ name: 'codeBranch', value: 'release' }, { name: 'INCREASENUM', value: 'mine' }],
      scm: { buildTag: 'v1', buildCommitId: '0123456789abcdef' },
    });
    expect(variables).toEqual({
      codeBranch: 'release',
      INCREASENUM: '12',
      BUILDNUMBER: '20240501.3',
      TIMESTAMP: '20240501080309',
      PROJECT_ID: 'p'.repeat(32),
      JOB_NAME: 'app',
      EXECUTOR: 'dev',
      GIT_TAG: 'v1',
      COMMIT_ID: '0123456789abcdef',
      COMMIT_ID_SHORTER: '01234567',
    });
  });
});

describe('minted token claims', () => {
  it('derives stable ids from names and keeps given ids', () => {
    const byName = claimsFor({ scope: { project: { name: 'cn-north-4', domain: { name: 'acme' } } }, user: { name: 'dev' }, durationSeconds: 60 });
    const again = claimsFor({ scope: { project: { name: 'cn-north-4', domain: { name: 'acme' } } }, user: { name: 'dev' }, durationSeconds: 60 });
    expect(byName).toEqual(again);
    expect(byName).toMatchObject({ scope: 'project', project_name: 'cn-north-4', domain_name: 'acme', user_name: 'dev' });
    expect(byName.iam_project_id).toMatch(/^[0-9a-f]{32}$/);
    expect(byName.domain_id).toBe(derivedId('domain', '', 'acme'));
    const otherDomain = claimsFor({ scope: { project: { name: 'cn-north-4', domain: { name: 'other' } } }, durationSeconds: 60 });
    expect(otherDomain.iam_project_id).not.toBe(byName.iam_project_id);
    expect(otherDomain.user_name).toBe('admin');

    const byId = claimsFor({ scope: { project: { id: 'a'.repeat(32) } }, user: { id: 'b'.repeat(32) }, durationSeconds: 60 });
    expect(byId).toMatchObject({ iam_project_id: 'a'.repeat(32), project_name: 'a'.repeat(32), user_id: 'b'.repeat(32), domain_name: DEFAULT_DOMAIN });
    expect(claimsFor({ scope: { domain: { id: 'c'.repeat(32) } }, durationSeconds: 60 })).toMatchObject({ scope: 'domain', iam_project_id: null, domain_id: 'c'.repeat(32) });
  });

  it("answers in IAM's shape, with IAM's microsecond times", () => {
    expect(iamTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678))).toBe('2024-01-02T03:04:05.678000Z');
    const claims = claimsFor({ scope: { domain: { name: 'acme' } }, durationSeconds: 60 });
    const body = tokenBody(claims, 0, 60_000);
    expect(body.token).toMatchObject({ methods: ['token'], expires_at: '1970-01-01T00:01:00.000000Z', domain: { id: claims.domain_id, name: 'acme' }, user: { name: 'admin' } });
    expect(body.token).not.toHaveProperty('project');
  });
});
