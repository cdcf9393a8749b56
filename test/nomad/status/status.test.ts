import { describe, expect, it } from 'vitest';
import { deriveJobStatus } from '../../../shared/nomad/status/job-status';
import { summaryTransition } from '../../../shared/nomad/status/summary';

const service = { Type: 'service' as const, Stop: false, Periodic: null, ParameterizedJob: null, Dispatched: false };
const zero = { LiveAllocs: 0, OpenEvals: 0, ActiveDeployments: 0, HadEval: false };

describe('deriveJobStatus', () => {
  it('follows pending → running → dead', () => {
    expect(deriveJobStatus(service, zero)).toBe('pending');
    expect(deriveJobStatus(service, { ...zero, OpenEvals: 1, HadEval: true })).toBe('pending');
    expect(deriveJobStatus(service, { ...zero, LiveAllocs: 2, HadEval: true })).toBe('running');
    expect(deriveJobStatus(service, { ...zero, HadEval: true })).toBe('dead');
    expect(deriveJobStatus({ ...service, Stop: true }, zero)).toBe('dead');
  });

  it('keeps system jobs and parents running until stopped', () => {
    expect(deriveJobStatus({ ...service, Type: 'system' }, zero)).toBe('running');
    expect(deriveJobStatus({ ...service, Type: 'batch', ParameterizedJob: { Payload: 'optional', MetaRequired: null, MetaOptional: null } }, { ...zero, HadEval: true })).toBe('running');
    expect(deriveJobStatus({ ...service, Type: 'system', Stop: true }, zero)).toBe('dead');
  });
});

describe('summaryTransition', () => {
  it('moves buckets as Nomad does', () => {
    expect(summaryTransition(undefined, 'pending')).toEqual({ Starting: 1 });
    expect(summaryTransition('pending', 'running')).toEqual({ Running: 1, Starting: -1 });
    expect(summaryTransition('running', 'complete')).toEqual({ Complete: 1, Running: -1 });
    // Complete and Failed are totals that never go down.
    expect(summaryTransition('failed', 'running')).toEqual({ Running: 1 });
    expect(summaryTransition('running', 'running')).toEqual({});
  });
});
