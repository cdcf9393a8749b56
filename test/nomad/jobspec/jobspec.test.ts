import { describe, expect, it } from 'vitest';
import { canonicalizeJob } from '../../../shared/nomad/jobspec/canonicalize';
import { specChanged } from '../../../shared/nomad/jobspec/spec-changed';
import { formatErrors, validateJob } from '../../../shared/nomad/jobspec/validate';

const minimal = {
  ID: 'web',
  TaskGroups: [{ Name: 'app', Tasks: [{ Name: 'server', Driver: 'raw_exec' }] }],
};

describe('canonicalizeJob', () => {
  it("applies Nomad's defaults", () => {
    const job = canonicalizeJob(minimal);
    expect(job).toMatchObject({ Name: 'web', Namespace: 'default', Region: 'global', Type: 'service', Priority: 50, Datacenters: ['*'], NodePool: 'default' });
    const group = job.TaskGroups[0];
    expect(group.Count).toBe(1);
    expect(group.EphemeralDisk).toEqual({ Sticky: false, SizeMB: 300, Migrate: false });
    expect(group.Update).toMatchObject({ MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10e9, HealthyDeadline: 300e9, ProgressDeadline: 600e9 });
    expect(group.ReschedulePolicy).toEqual({ Attempts: 0, Interval: 0, Delay: 30e9, DelayFunction: 'exponential', MaxDelay: 3600e9, Unlimited: true });
    expect(group.RestartPolicy).toMatchObject({ Attempts: 2, Interval: 1800e9, Delay: 15e9, Mode: 'fail' });
    expect(group.Tasks[0].Resources).toMatchObject({ CPU: 100, MemoryMB: 300 });
    expect(group.Tasks[0].KillTimeout).toBe(5e9);
    expect(job.Update).toMatchObject({ Stagger: 30e9, MaxParallel: 1, HealthCheck: '' });
  });

  it('gives batch jobs their own restart and reschedule defaults and no update block', () => {
    const group = canonicalizeJob({ ...minimal, Type: 'batch' }).TaskGroups[0];
    expect(group.Update).toBeNull();
    expect(group.ReschedulePolicy).toMatchObject({ Attempts: 1, Interval: 86400e9, Delay: 5e9, DelayFunction: 'constant', Unlimited: false });
    expect(group.RestartPolicy).toMatchObject({ Attempts: 3, Interval: 86400e9 });
  });

  it('merges the job-level update block into groups and keeps only Stagger and MaxParallel at job level', () => {
    const job = canonicalizeJob({ ...minimal, Update: { MaxParallel: 3, Canary: 1 } });
    expect(job.TaskGroups[0].Update).toMatchObject({ MaxParallel: 3, Canary: 1 });
    expect(job.Update).toMatchObject({ MaxParallel: 3, Canary: 0 });
  });

  it('does not modify its input', () => {
    const input = structuredClone(minimal);
    canonicalizeJob(input);
    expect(input).toEqual(minimal);
  });
});

describe('validateJob', () => {
  it('accepts a canonical job', () => {
    expect(validateJob(canonicalizeJob(minimal)).errors).toEqual([]);
  });

  it("reports Nomad's texts", () => {
    expect(validateJob(canonicalizeJob({ ID: 'x', TaskGroups: [] })).errors).toContain('Missing job task groups');
    expect(validateJob(canonicalizeJob({ ID: 'a b', TaskGroups: minimal.TaskGroups })).errors).toContain('Job ID contains a space');
    const duplicate = canonicalizeJob({ ID: 'x', TaskGroups: [minimal.TaskGroups[0], minimal.TaskGroups[0]] });
    expect(validateJob(duplicate).errors).toContain("Job task group 2 redefines 'app' from group 1");
    const negative = canonicalizeJob({ ID: 'x', TaskGroups: [{ ...minimal.TaskGroups[0], Count: -1 }] });
    expect(validateJob(negative).errors.join('\n')).toContain("Task group count can't be negative");
    const periodicService = canonicalizeJob({ ...minimal, Periodic: { Spec: '* * * * *' } });
    expect(validateJob(periodicService).errors).toContain('Periodic can only be used with "batch" or "sysbatch" scheduler');
    expect(validateJob(canonicalizeJob({ ...minimal, Type: 'nope' })).errors).toContain('Invalid job type: "nope"');
  });

  it('formats errors as go-multierror does', () => {
    expect(formatErrors(['a'])).toBe('1 error occurred:\n\t* a\n\n');
    expect(formatErrors(['a', 'b'])).toBe('2 errors occurred:\n\t* a\n\t* b\n\n');
  });
});

describe('specChanged', () => {
  it('ignores state fields and key order', () => {
    const job = canonicalizeJob(minimal);
    const same = { ...canonicalizeJob({ TaskGroups: minimal.TaskGroups, ID: 'web' }), Version: 7, ModifyIndex: 9, Status: 'running' as const };
    expect(specChanged(job, same)).toBe(false);
    expect(specChanged(job, { ...job, Meta: { a: 'b' } })).toBe(true);
    expect(specChanged(undefined, job)).toBe(true);
  });
});
