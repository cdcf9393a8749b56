import { describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../../shared/gitlab/ci-config/types';
import type { JobRecord, RunnerRecord } from '../../../shared/gitlab/records';
import { runningUnion } from '../../../shared/gitlab/state/durations';
import { cancelTarget, effectiveAllowFailure, forceCancelTarget, isErasable, isPlayable, isRetryable, runnerStateTarget } from '../../../shared/gitlab/state/job-events';
import { runnerCanPick } from '../../../shared/gitlab/state/runner-matching';
import { jobsToReset } from '../../../shared/gitlab/state/transition-fields';

const definition = (overrides: Partial<JobDefinition> = {}): JobDefinition => ({
  name: 'job',
  stage: 'test',
  script: ['x'],
  beforeScript: [],
  afterScript: [],
  image: null,
  services: [],
  variables: {},
  when: 'on_success',
  startIn: null,
  allowFailure: null,
  allowFailureExitCodes: [],
  needs: null,
  dependencies: null,
  tags: [],
  artifacts: null,
  cache: [],
  retry: null,
  timeout: null,
  coverage: null,
  trigger: null,
  interruptible: false,
  ...overrides,
});

let id = 1;
const job = (overrides: Partial<JobRecord> = {}): JobRecord =>
  ({ id: id++, type: 'build', name: 'job', stageIdx: 1, status: 'created', retried: false, runnerCancelsGracefully: false, artifacts: [], erasedAt: null, projectId: 1, protectedRef: false, definition: definition(), ...overrides }) as JobRecord;

const runner = (overrides: Partial<RunnerRecord> = {}): RunnerRecord =>
  ({ id: 1, runnerType: 'instance_type', projectIds: [], tagList: [], runUntagged: true, paused: false, accessLevel: 'not_protected', ...overrides }) as RunnerRecord;

describe('which runner takes a job', () => {
  it('needs every job tag among the runner tags, and run_untagged for untagged jobs', () => {
    const tagged = job({ definition: definition({ tags: ['docker', 'linux'] }) });
    expect(runnerCanPick(runner({ tagList: ['docker', 'linux', 'gpu'] }), tagged)).toBe(true);
    expect(runnerCanPick(runner({ tagList: ['docker'] }), tagged)).toBe(false);
    expect(runnerCanPick(runner({ runUntagged: true }), job())).toBe(true);
    expect(runnerCanPick(runner({ runUntagged: false, tagList: ['docker'] }), job())).toBe(false);
  });

  it('keeps project runners to their projects, paused runners idle, protected runners on protected refs, bridges off runners', () => {
    expect(runnerCanPick(runner({ runnerType: 'project_type', projectIds: [2] }), job())).toBe(false);
    expect(runnerCanPick(runner({ runnerType: 'project_type', projectIds: [1] }), job())).toBe(true);
    expect(runnerCanPick(runner({ paused: true }), job())).toBe(false);
    expect(runnerCanPick(runner({ accessLevel: 'ref_protected' }), job())).toBe(false);
    expect(runnerCanPick(runner({ accessLevel: 'ref_protected' }), job({ protectedRef: true }))).toBe(true);
    expect(runnerCanPick(runner(), job({ type: 'bridge' }))).toBe(false);
  });
});

describe('job events', () => {
  it('cancels cancelable jobs, running ones gracefully when the runner can', () => {
    expect(cancelTarget(job({ status: 'pending' }))).toBe('canceled');
    expect(cancelTarget(job({ status: 'manual' }))).toBe('canceled');
    expect(cancelTarget(job({ status: 'running', runnerCancelsGracefully: true }))).toBe('canceling');
    expect(cancelTarget(job({ status: 'success' }))).toBeUndefined();
    expect(cancelTarget(job({ status: 'canceling' }))).toBeUndefined();
    expect(forceCancelTarget(job({ status: 'canceling' }))).toBe('canceled');
  });

  it('retries finished jobs once, plays action jobs', () => {
    expect(isRetryable(job({ status: 'failed' }))).toBe(true);
    expect(isRetryable(job({ status: 'failed', retried: true }))).toBe(false);
    expect(isRetryable(job({ status: 'running' }))).toBe(false);
    expect(isPlayable(job({ status: 'manual', definition: definition({ when: 'manual' }) }))).toBe(true);
    expect(isPlayable(job({ status: 'scheduled', definition: definition({ when: 'delayed' }) }))).toBe(true);
    expect(isPlayable(job({ status: 'success', definition: definition({ when: 'manual' }) }))).toBe(true);
    expect(isPlayable(job({ status: 'pending' }))).toBe(false);
    expect(isPlayable(job({ status: 'created', definition: definition({ when: 'manual' }) }))).toBe(false);
  });

  it('erases finished builds that have something to erase', () => {
    expect(isErasable(job({ status: 'success' }), 10)).toBe(true);
    expect(isErasable(job({ status: 'success' }), 0)).toBe(false);
    expect(isErasable(job({ status: 'running' }), 10)).toBe(false);
  });

  it('maps a runner’s final state, canceling jobs ending canceled', () => {
    expect(runnerStateTarget('running', 'failed')).toBe('failed');
    expect(runnerStateTarget('canceling', 'success')).toBe('canceled');
    expect(runnerStateTarget('canceled', 'success')).toBeUndefined();
  });

  it('lets manual jobs and listed exit codes fail', () => {
    expect(effectiveAllowFailure(definition({ when: 'manual' }))).toBe(true);
    expect(effectiveAllowFailure(definition({ when: 'manual', allowFailure: false }))).toBe(false);
    expect(effectiveAllowFailure(definition({ allowFailure: false, allowFailureExitCodes: [3] }), 3)).toBe(true);
    expect(effectiveAllowFailure(definition({ allowFailure: false, allowFailureExitCodes: [3] }), 4)).toBe(false);
  });

  it('resets skipped jobs after a retried one, through needs too', () => {
    const build = job({ name: 'build', stageIdx: 0, status: 'failed' });
    const test = job({ name: 'test', stageIdx: 1, status: 'skipped' });
    const dag = job({ name: 'dag', stageIdx: 0, status: 'skipped', definition: definition({ needs: [{ job: 'build', artifacts: true, optional: false }] }) });
    const after = job({ name: 'after', stageIdx: 0, status: 'skipped', definition: definition({ needs: [{ job: 'dag', artifacts: true, optional: false }] }) });
    const other = job({ name: 'other', stageIdx: 0, status: 'skipped', definition: definition({ needs: [] }) });
    expect(jobsToReset([build, test, dag, after, other], build).map((entry) => entry.name).sort()).toEqual(['after', 'dag', 'test']);
  });
});

describe('pipeline duration', () => {
  it('counts the union of the jobs’ running periods', () => {
    expect(runningUnion([{ startedAt: 0, finishedAt: 10_000 }, { startedAt: 5_000, finishedAt: 12_000 }, { startedAt: 20_000, finishedAt: 21_000 }, { startedAt: null, finishedAt: null }], 0)).toBe(13);
  });
});
