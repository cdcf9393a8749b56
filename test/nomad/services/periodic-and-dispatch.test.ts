import { describe, expect, it } from 'vitest';
import { canonicalizeJob } from '../../../shared/nomad/jobspec/canonicalize';
import { validateJob } from '../../../shared/nomad/jobspec/validate';
import { cronSpecError, nextLaunch } from '../../../shared/nomad/periodic/cron';
import { deriveChild, periodicChildId } from '../../../shared/nomad/services/periodic-launch';
import { base64ErrorOffset } from '../../../shared/nomad/http/job-launch-handlers';
import { checkDispatch, dispatchedJobId } from '../../../shared/nomad/services/dispatch-job';
import { versionsToDrop } from '../../../shared/nomad/store/job-versions';
import type { Job } from '../../../shared/nomad/structs/job';

const periodic = (Spec: string, TimeZone = 'UTC') => ({ Enabled: true, Spec, Specs: null, SpecType: 'cron', ProhibitOverlap: false, TimeZone });
const at = new Date('2024-01-01T10:00:30Z');

describe('cron specs', () => {
  it('takes 5-field specs, cronexpr 6-field (with year) and 7-field specs, and macros', () => {
    expect(nextLaunch(periodic('*/5 * * * *'), at)?.toISOString()).toBe('2024-01-01T10:05:00.000Z');
    expect(nextLaunch(periodic('30 * * * * 2024'), at)?.toISOString()).toBe('2024-01-01T10:30:00.000Z');
    expect(nextLaunch(periodic('15 0 12 * * * 2030'), at)?.toISOString()).toBe('2030-01-01T12:00:15.000Z');
    expect(nextLaunch(periodic('@hourly'), at)?.toISOString()).toBe('2024-01-01T11:00:00.000Z');
  });

  it('computes launches in the job time zone', () => {
    expect(nextLaunch(periodic('0 9 * * *', 'Europe/Paris'), at)?.toISOString()).toBe('2024-01-02T08:00:00.000Z');
  });

  it('picks the earliest of several specs and validates them', () => {
    const specs = { ...periodic(''), Specs: ['0 12 * * *', '0 11 * * *'] };
    expect(nextLaunch(specs, at)?.toISOString()).toBe('2024-01-01T11:00:00.000Z');
    expect(cronSpecError('not a spec')).toMatch(/invalid configuration format \('not a spec'\), exactly five, six, or seven space separated parts are required/);
    expect(cronSpecError('0 12 * * *')).toBeUndefined();
    const job = canonicalizeJob({ ID: 'p', Type: 'batch', TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec' }] }], Periodic: { Spec: 'nope' } });
    expect(validateJob(job).errors[0]).toMatch(/^Invalid cron spec "nope": /);
    const service = canonicalizeJob({ ID: 'p', TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec' }] }], Periodic: { Spec: '* * * * *' } });
    expect(validateJob(service).errors).toContain('Periodic can only be used with "batch" or "sysbatch" scheduler');
  });

  it('derives children named by their launch time', () => {
    const parent = canonicalizeJob({ ID: 'report', Type: 'batch', TaskGroups: [], Periodic: { Spec: '* * * * *' } });
    const launch = new Date('2024-01-01T10:05:00Z');
    expect(periodicChildId('report', launch)).toBe('report/periodic-1704103500');
    expect(deriveChild(parent, launch)).toMatchObject({ ID: 'report/periodic-1704103500', Name: 'report/periodic-1704103500', ParentID: 'report', Periodic: null });
  });
});

describe('dispatch checks', () => {
  const parent = canonicalizeJob({ ID: 'p', Type: 'batch', TaskGroups: [], ParameterizedJob: { Payload: 'required', MetaRequired: ['a'], MetaOptional: ['b'] } });
  it('enforces payload and meta rules with Nomad texts', () => {
    expect(() => checkDispatch(parent, Buffer.alloc(0), { a: '1' })).toThrow('Payload is not provided but required by parameterized job');
    expect(() => checkDispatch(parent, Buffer.from('x'), {})).toThrow('Dispatch did not provide required meta keys: [a]');
    expect(() => checkDispatch(parent, Buffer.from('x'), { a: '1', z: '2', c: '3' })).toThrow('Dispatch request included unpermitted metadata keys: [c z]');
    expect(() => checkDispatch(parent, Buffer.alloc(16385), { a: '1' })).toThrow('Payload exceeds maximum size; 16385 > 16384');
    expect(() => checkDispatch(parent, Buffer.from('x'), { a: '1', b: '2' })).not.toThrow();
    const forbidden = { ...parent, ParameterizedJob: { Payload: 'forbidden', MetaRequired: null, MetaOptional: null } };
    expect(() => checkDispatch(forbidden, Buffer.from('x'), {})).toThrow('Payload provided but forbidden by parameterized job');
  });

  it('rejects payloads Go would not decode, at the same byte', () => {
    expect(base64ErrorOffset('aGVsbG8=')).toBe(-1);
    expect(base64ErrorOffset('A28C3==')).toBe(5);
    expect(base64ErrorOffset('aGVsbG8')).toBe(4);
    expect(base64ErrorOffset('aGVs!G8=')).toBe(4);
    expect(base64ErrorOffset('aGVsbA==x')).toBe(8);
  });

  it('names children like Nomad', () => {
    expect(dispatchedJobId('p', undefined, 1_700_000_000_123)).toMatch(/^p\/dispatch-1700000000-[0-9a-f]{8}$/);
    expect(dispatchedJobId('p', 'nightly', 1_700_000_000_123)).toMatch(/^p\/dispatch-nightly-1700000000-[0-9a-f]{8}$/);
  });
});

describe('version retention', () => {
  const version = (Version: number, extra: Partial<Job> = {}) => ({ Version, Stable: false, VersionTag: null, ...extra }) as Job;
  it('keeps six, every tagged one and the newest stable one', () => {
    const versions = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((n) =>
      version(n, n === 2 ? { Stable: true } : n === 1 ? { VersionTag: { Name: 'gold', Description: '', TaggedTime: 0 } } : {}),
    );
    expect(versionsToDrop(versions).map((job) => job.Version)).toEqual([3, 0]);
  });
});
