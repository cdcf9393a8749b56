import { describe, expect, it } from 'vitest';
import { eventFromChange, eventMatches, framesOf, parseTopics, type NomadEvent } from '../../../shared/nomad/events/from-changes';

/** Nomad events from stored changes, and the subscription's topic, key and namespace filter. Pure. */
const job = (fields: Record<string, unknown> = {}) => ({ ID: 'web', Namespace: 'default', JobModifyIndex: 10, ModifyIndex: 10, Stop: false, Status: 'pending', ...fields }) as any;
const node = (fields: Record<string, unknown> = {}) => ({ ID: 'n1', Status: 'ready', SchedulingEligibility: 'eligible', DrainStrategy: null, ModifyIndex: 5, SecretID: 's', ...fields }) as any;

describe('events from changes', () => {
  it('types job changes by what changed, and leaves out status-only ones', () => {
    expect(eventFromChange({ kind: 'job', after: job() }, 0)).toMatchObject({ Topic: 'Job', Type: 'JobRegistered', Key: 'web', Index: 10, FilterKeys: null });
    expect(eventFromChange({ kind: 'job', before: job(), after: job({ JobModifyIndex: 20, ModifyIndex: 20 }) }, 0)?.Type).toBe('JobRegistered');
    expect(eventFromChange({ kind: 'job', before: job(), after: job({ Stop: true, ModifyIndex: 21 }) }, 0)?.Type).toBe('JobDeregistered');
    expect(eventFromChange({ kind: 'job', before: job(), after: job({ Status: 'running', ModifyIndex: 22 }) }, 0)).toBeUndefined();
    const purged = eventFromChange({ kind: 'job', before: job() }, 1_000)!;
    expect(purged).toMatchObject({ Type: 'JobDeregistered', Index: 1_000_000, Payload: { Deleted: true } });
    expect(eventFromChange({ kind: 'job', before: job({ ModifyIndex: 5_000_000 }) }, 1_000)!.Index).toBe(5_000_001);
  });

  it('types node changes and drops heartbeats and the secret', () => {
    expect(eventFromChange({ kind: 'node', after: node() }, 0)).toMatchObject({ Type: 'NodeRegistration', Namespace: '' });
    expect(eventFromChange({ kind: 'node', after: node() }, 0)!.Payload.Node).not.toHaveProperty('SecretID');
    expect(eventFromChange({ kind: 'node', before: node(), after: node({ SchedulingEligibility: 'ineligible', ModifyIndex: 6 }) }, 0)?.Type).toBe('NodeEligibility');
    expect(eventFromChange({ kind: 'node', before: node(), after: node({ DrainStrategy: { Deadline: 1 }, ModifyIndex: 6 }) }, 0)?.Type).toBe('NodeDrain');
    expect(eventFromChange({ kind: 'node', before: node(), after: node({ Status: 'down', ModifyIndex: 6 }) }, 0)?.Type).toBe('NodeStreamEvent');
    expect(eventFromChange({ kind: 'node', before: node(), after: node() }, 0)).toBeUndefined();
  });

  it('types allocations: placed by a plan, desired transitions, client updates', () => {
    const alloc = (fields: Record<string, unknown> = {}) => ({ ID: 'a1', Namespace: 'default', JobID: 'web', DeploymentID: 'd1', DesiredStatus: 'run', ClientStatus: 'pending', ModifyIndex: 7, ...fields }) as any;
    expect(eventFromChange({ kind: 'alloc', after: alloc() }, 0)).toMatchObject({ Type: 'PlanResult', FilterKeys: ['web', 'd1'], Payload: { Allocation: { Job: null } } });
    expect(eventFromChange({ kind: 'alloc', before: alloc(), after: alloc({ ClientStatus: 'running' }) }, 0)?.Type).toBe('AllocationUpdated');
    expect(eventFromChange({ kind: 'alloc', before: alloc(), after: alloc({ DesiredStatus: 'stop' }) }, 0)?.Type).toBe('PlanResult');
    expect(eventFromChange({ kind: 'alloc', before: alloc(), after: alloc({ DesiredTransition: { Migrate: true } }) }, 0)?.Type).toBe('AllocationUpdateDesiredStatus');
  });
});

describe('the subscription filter', () => {
  const event = (fields: Partial<NomadEvent>): NomadEvent => ({ Topic: 'Job', Type: 'JobRegistered', Key: 'web', Namespace: 'default', FilterKeys: null, Index: 1, Payload: {}, ...fields });

  it('parses topics as Nomad does', () => {
    expect(parseTopics([])).toEqual(new Map([['*', ['*']]]));
    expect(parseTopics(['Job', 'Job:web', 'Node:n1'])).toEqual(new Map([['Job', ['*', 'web']], ['Node', ['n1']]]));
    expect(parseTopics(['a:b:c'])).toBe('Invalid key value pair for topic, topic: a:b:c');
  });

  it('matches topics, keys and filter keys within the allowed namespaces', () => {
    const ns = ['default'];
    expect(eventMatches(event({}), parseTopics(['Job']) as Map<string, string[]>, ns)).toBe(true);
    expect(eventMatches(event({ Namespace: 'other' }), parseTopics(['Job']) as Map<string, string[]>, ns)).toBe(false);
    expect(eventMatches(event({ Topic: 'Node', Namespace: '' }), parseTopics(['Job']) as Map<string, string[]>, ns)).toBe(false);
    expect(eventMatches(event({ Key: 'db' }), parseTopics(['Job:web']) as Map<string, string[]>, ns)).toBe(false);
    expect(eventMatches(event({ Topic: 'Evaluation', Key: 'e1', FilterKeys: ['web', ''] }), parseTopics(['Evaluation:web']) as Map<string, string[]>, ns)).toBe(true);
    // As in Nomad, `Job` and `Job:web` together match by key only.
    expect(eventMatches(event({ Key: 'db' }), parseTopics(['Job', 'Job:web']) as Map<string, string[]>, ns)).toBe(false);
  });

  it('frames events of one index together, in index order', () => {
    const frames = framesOf([event({ Index: 3 }), event({ Index: 2, Key: 'a' }), event({ Index: 2, Key: 'b' })]);
    expect(frames.map((frame) => [frame.Index, frame.Events.map((e) => e.Key)])).toEqual([
      [2, ['a', 'b']],
      [3, ['web']],
    ]);
  });
});
