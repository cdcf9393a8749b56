import { describe, expect, it } from 'vitest';
import { compositeStatus } from '../../../shared/gitlab/state/composite';
import type { JobStatus } from '../../../shared/gitlab/state/statuses';

const jobs = (...entries: (JobStatus | [JobStatus, boolean])[]) =>
  entries.map((entry) => (Array.isArray(entry) ? { status: entry[0], allowFailure: entry[1] } : { status: entry, allowFailure: false }));

describe('composite status (Gitlab::Ci::Status::Composite)', () => {
  it('is undefined without jobs', () => {
    expect(compositeStatus([])).toBeUndefined();
  });

  it.each<[JobStatus[], JobStatus]>([
    [['success', 'success'], 'success'],
    [['success', 'skipped'], 'success'],
    [['skipped', 'skipped'], 'skipped'],
    [['created', 'created'], 'created'],
    [['pending', 'created'], 'pending'],
    [['success', 'pending'], 'running'],
    [['success', 'created'], 'running'],
    [['running', 'failed'], 'running'],
    [['success', 'failed'], 'failed'],
    [['canceled', 'success'], 'canceled'],
    [['canceled', 'failed'], 'failed'],
    [['manual', 'success'], 'manual'],
    [['scheduled', 'success'], 'scheduled'],
    [['preparing', 'preparing'], 'preparing'],
    [['waiting_for_resource', 'success'], 'waiting_for_resource'],
    [['canceling', 'success'], 'canceling'],
  ])('%j → %s', (statuses, expected) => {
    expect(compositeStatus(jobs(...statuses))?.status).toBe(expected);
  });

  it('counts allowed failures as success with warnings and ignores manual jobs that may fail', () => {
    expect(compositeStatus(jobs('success', ['failed', true]))).toEqual({ status: 'success', warnings: true });
    expect(compositeStatus(jobs('success', ['manual', true]))).toEqual({ status: 'success', warnings: false });
    expect(compositeStatus(jobs(['manual', true]))?.status).toBe('skipped');
    expect(compositeStatus(jobs(['manual', false], 'success'))?.status).toBe('manual');
  });

  it('as a DAG, skips after a skipped or ignored need and waits for incomplete ones', () => {
    expect(compositeStatus(jobs('success', 'skipped'), { dag: true })?.status).toBe('skipped');
    expect(compositeStatus(jobs(['manual', true]), { dag: true })?.status).toBe('skipped');
    expect(compositeStatus(jobs('success', 'running'), { dag: true })?.status).toBe('pending');
    expect(compositeStatus(jobs('success', 'failed'), { dag: true })?.status).toBe('failed');
    expect(compositeStatus(jobs('success'), { dag: true })?.status).toBe('success');
  });
});
